package imports

// SetSpillBuffer sets the spill reader's buffer size and returns the
// previous one.
func SetSpillBuffer(n int) int {
	old := spillBuffer
	spillBuffer = n
	return old
}
