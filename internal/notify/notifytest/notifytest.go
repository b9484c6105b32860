// Package notifytest has what tests of notifications need: a real SMTP
// server in the process and an in-memory account directory.
package notifytest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	smtp "github.com/emersion/go-smtp"

	"github.com/renshi/renshi/internal/notify"
	"github.com/renshi/renshi/internal/platform/ids"
)

// Directory is an in-memory account list (the app's adapter reads the
// account service).
type Directory struct {
	mu    sync.Mutex
	users map[ids.ID]notify.Recipient
}

// NewDirectory returns an empty directory.
func NewDirectory() *Directory { return &Directory{users: map[ids.ID]notify.Recipient{}} }

// Recipients implements notify.Directory.
func (d *Directory) Recipients(_ context.Context, _ ids.ID, userIDs []ids.ID) (map[ids.ID]notify.Recipient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[ids.ID]notify.Recipient{}
	for _, id := range userIDs {
		if r, ok := d.users[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

// Add adds or replaces an account.
func (d *Directory) Add(r notify.Recipient) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[r.UserID] = r
}

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Data []byte
	Msg  *mail.Message
	TLS  bool // arrived over TLS
}

// MailServer is a real SMTP server (github.com/emersion/go-smtp) on a
// loopback port, with PLAIN authentication, that keeps what it receives.
type MailServer struct {
	t        testing.TB
	Port     int
	Username string
	Password string

	mu     sync.Mutex
	srv    *smtp.Server
	got    []Received
	reject map[string]bool
	tls    *tls.Config
}

// NewMailServer listens on a free loopback port; it stops when the test ends.
func NewMailServer(t testing.TB) *MailServer {
	m := &MailServer{t: t, Username: "mailer", Password: "s3cret-密码", reject: map[string]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Port = ln.Addr().(*net.TCPAddr).Port
	m.serve(ln)
	t.Cleanup(m.Stop)
	return m
}

// NewTLSMailServer is a server offering STARTTLS with a certificate for
// 127.0.0.1 signed by the returned pool's only CA.
func NewTLSMailServer(t testing.TB) (*MailServer, *x509.CertPool) {
	cert, pool := selfSigned(t)
	m := &MailServer{t: t, Username: "mailer", Password: "s3cret-密码", reject: map[string]bool{},
		tls: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Port = ln.Addr().(*net.TCPAddr).Port
	m.serve(ln)
	t.Cleanup(m.Stop)
	return m, pool
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func (m *MailServer) serve(ln net.Listener) {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{m: m, conn: c}, nil }))
	srv.TLSConfig = m.tls
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = m.tls == nil
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	m.mu.Lock()
	m.srv = srv
	m.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Stop takes the server down (connections refused).
func (m *MailServer) Stop() {
	m.mu.Lock()
	srv := m.srv
	m.srv = nil
	m.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Restart brings it back on the same port.
func (m *MailServer) Restart() {
	m.t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", "127.0.0.1:"+itoa(m.Port)); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		m.t.Fatal(err)
	}
	m.serve(ln)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// Messages returns what arrived, in order.
func (m *MailServer) Messages() []Received {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Received(nil), m.got...)
}

// Count is how many messages arrived.
func (m *MailServer) Count() int { return len(m.Messages()) }

// Reject makes the server refuse (550) or accept an address.
func (m *MailServer) Reject(addr string, refuse bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reject[addr] = refuse
}

type session struct {
	conn   *smtp.Conn
	m      *MailServer
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.m.Username || pass != s.m.Password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.mu.Lock()
	refused := s.m.reject[to]
	s.m.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return errors.New("unparsable message")
	}
	s.m.mu.Lock()
	_, secure := s.conn.TLSConnectionState()
	s.m.got = append(s.m.got, Received{From: s.from, To: s.to, Data: b, Msg: msg, TLS: secure})
	s.m.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
