package training

// SessionStore keeps classroom sessions, attendance, learners' questions
// to module owners and program costs (part of Store).
type SessionStore interface{}
