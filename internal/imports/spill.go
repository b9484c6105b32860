package imports

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// The spill: the dry run's cleaned rows, kept for the commit.
//
// Reading an xlsx is the dearest part of an import (excelize's XML
// decoding, about 8 s of CPU for 100,000 rows × 30 columns), and the
// commit used to read and clean the whole file again. Cleaning is a pure
// function of the file, the mapping and the target's columns, so the dry
// run writes what it made of every row — line, cleaned values, the
// cells as typed (for error messages) and the engine's own problems — to
// a spill file, one block per chunk, and the commit replays it instead
// of the file. The target's Check still runs on every replayed chunk,
// inside the commit's transaction: whatever depends on the database
// (keys taken since, departments closed, managers gone) is judged again.
//
// A spill is used only when it was written for the same batch, file,
// sheet, header, mapping, key, options, target columns, chunk size and
// limits (a fingerprint of all of them), by a dry run that finished, with
// the row count and counts the batch recorded. Anything else — missing,
// written by another process (another key), stale, damaged, truncated —
// and the commit reads the file as before; damage found half-way through
// rolls the commit's transaction back and starts it again from the file.
//
// The file holds personal data in clear in the upload itself; the spill
// is sealed with AES-256-GCM under a key that by default lives only in
// this process's memory, in a 0700 directory, and is removed when the
// batch is committed (whatever the outcome), its dry run discarded or
// run again, or after SpillTTL.
//
// Layout: magic, key id (8 bytes, a hash of the key), nonce prefix (8
// random bytes), then blocks: a 4-byte big-endian length and the sealed
// block (nonce: prefix + block number; additional data: magic). A block's
// first byte says what it is: the header (first), rows (one per chunk,
// deflated), the trailer (last).

const (
	spillMagic   = "RENSHI-IMPORT-SPILL-1"
	spillExt     = ".spill"
	spillTmp     = ".spill-tmp-"
	spillMaxSize = 64 << 20 // of one block, sealed

	blockHeader  = 'H'
	blockRows    = 'R'
	blockTrailer = 'T'

	// SpillTTL is how long a spill waits for its commit by default.
	SpillTTL = 24 * time.Hour
)

// spillBuffer is the reader's buffer (a test makes it small, to damage
// a spill half-way through its replay).
var spillBuffer = 256 << 10

// spillError is a spill that cannot be used: the commit reads the file.
type spillError struct{ why string }

func (e *spillError) Error() string { return "imports: spill not used: " + e.why }

func badSpill(format string, a ...any) error { return &spillError{why: fmt.Sprintf(format, a...)} }

// spillHeader is the first block.
type spillHeader struct {
	Fingerprint string   `json:"fingerprint"`
	Columns     []string `json:"columns"` // keys of the plan's columns, in order
	Written     string   `json:"written"`
}

// spillTrailer is the last block: what the dry run counted.
type spillTrailer struct {
	Rows   int    `json:"rows"`
	Counts Counts `json:"counts"`
}

// fingerprint identifies everything a row's cleaning depends on, and
// the options of the dry run.
func fingerprint(b *Batch, pl *plan, opts Options) string {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(struct {
		Magic                     string
		Tenant, Batch, File       int64
		Target, Format, Encoding  string
		Size                      int64
		Sheet                     string
		HeaderLine                int
		Header                    []string
		Mapping                   Mapping
		Key                       string
		CreateDepartments         bool
		Columns                   []Column
		Index                     []int
		Chunk                     int
		MaxRows, MaxCell          int
		MaxBytes, MaxUnz, MaxRate int64
	}{spillMagic, int64(b.TenantID), int64(b.ID), int64(b.FileID), b.Target, b.Format, b.Encoding, b.FileSize, b.Sheet,
		b.HeaderLine, b.Header, b.Mapping, b.Key, b.CreateDepartments, pl.cols, pl.index, opts.ChunkSize,
		opts.Limits.MaxRows, opts.Limits.MaxCellChars, opts.Limits.MaxBytes, opts.Limits.MaxUnzipped, opts.Limits.MaxRatio})
	return hex.EncodeToString(h.Sum(nil))
}

// spillStore is where spills are kept and how they are sealed.
type spillStore struct {
	dir   string
	ttl   time.Duration
	aead  cipher.AEAD
	keyID [8]byte
}

func newSpillStore(opts Options) (*spillStore, error) {
	if opts.SpillDir == "-" {
		return nil, nil
	}
	dir := opts.SpillDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "renshi-imports")
	}
	key := opts.SpillKey
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	if len(key) != 32 {
		return nil, errors.New("imports: SpillKey must be 32 bytes")
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(blk)
	if err != nil {
		return nil, err
	}
	ttl := opts.SpillTTL
	if ttl <= 0 {
		ttl = SpillTTL
	}
	st := &spillStore{dir: dir, ttl: ttl, aead: aead}
	sum := sha256.Sum256(append([]byte(spillMagic), key...))
	copy(st.keyID[:], sum[:])
	return st, nil
}

func (st *spillStore) path(b *Batch) string {
	return filepath.Join(st.dir, fmt.Sprintf("%d-%d%s", b.TenantID, b.ID, spillExt))
}

// remove deletes a batch's spill (missing is fine).
func (st *spillStore) remove(b *Batch) error {
	if err := os.Remove(st.path(b)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// sweep removes spills, finished or abandoned, older than the TTL.
func (st *spillStore) sweep(now time.Time) error {
	list, err := os.ReadDir(st.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errsAll []error
	for _, e := range list {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, spillExt) || strings.HasPrefix(name, spillTmp)) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if now.Sub(info.ModTime()) > st.ttl {
			if err := os.Remove(filepath.Join(st.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				errsAll = append(errsAll, err)
			}
		}
	}
	return errors.Join(errsAll...)
}

// ---- writing

type spillWriter struct {
	st     *spillStore
	f      *os.File
	w      *bufio.Writer
	final  string
	prefix [8]byte
	block  uint32
	plain  []byte
	zbuf   bytes.Buffer
	zw     *flate.Writer
	sealed []byte
	cols   int
}

// create starts the spill of a dry run, in a temporary file that finish
// renames into place.
func (st *spillStore) create(b *Batch, pl *plan, fp string) (*spillWriter, error) {
	if err := os.MkdirAll(st.dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(st.dir, spillTmp+"*")
	if err != nil {
		return nil, err
	}
	zw, _ := flate.NewWriter(nil, flate.BestSpeed)
	w := &spillWriter{st: st, f: f, w: bufio.NewWriterSize(f, 256<<10), final: st.path(b), zw: zw, cols: len(pl.cols)}
	if _, err := rand.Read(w.prefix[:]); err != nil {
		w.abort()
		return nil, err
	}
	w.w.WriteString(spillMagic)
	w.w.Write(st.keyID[:])
	w.w.Write(w.prefix[:])
	keys := make([]string, len(pl.cols))
	for i, c := range pl.cols {
		keys[i] = c.Key
	}
	hdr, _ := json.Marshal(spillHeader{Fingerprint: fp, Columns: keys, Written: time.Now().UTC().Format(time.RFC3339)})
	if err := w.put(blockHeader, hdr); err != nil {
		w.abort()
		return nil, err
	}
	return w, nil
}

func (w *spillWriter) nonce(n uint32) []byte {
	nonce := make([]byte, w.st.aead.NonceSize())
	copy(nonce, w.prefix[:])
	binary.BigEndian.PutUint32(nonce[len(nonce)-4:], n)
	return nonce
}

// put seals and writes one block.
func (w *spillWriter) put(kind byte, body []byte) error {
	plain := append(append(w.plain[:0], kind), body...)
	w.sealed = w.st.aead.Seal(w.sealed[:0], w.nonce(w.block), plain, []byte(spillMagic))
	w.plain = plain
	if len(w.sealed) > spillMaxSize {
		return fmt.Errorf("imports: spill block of %d bytes", len(w.sealed))
	}
	w.block++
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(w.sealed)))
	w.w.Write(n[:])
	_, err := w.w.Write(w.sealed)
	return err
}

// add writes a chunk of cleaned rows.
func (w *spillWriter) add(rows []Row, pl *plan) error {
	var enc spillEncoder
	enc.uvarint(uint64(len(rows)))
	for i := range rows {
		enc.row(&rows[i], pl)
	}
	w.zbuf.Reset()
	w.zw.Reset(&w.zbuf)
	if _, err := w.zw.Write(enc.buf); err != nil {
		return err
	}
	if err := w.zw.Close(); err != nil {
		return err
	}
	return w.put(blockRows, w.zbuf.Bytes())
}

// finish writes the trailer and puts the spill in place.
func (w *spillWriter) finish(rows int, counts Counts) error {
	t, _ := json.Marshal(spillTrailer{Rows: rows, Counts: counts})
	if err := w.put(blockTrailer, t); err != nil {
		w.abort()
		return err
	}
	if err := w.w.Flush(); err != nil {
		w.abort()
		return err
	}
	if err := w.f.Close(); err != nil {
		w.abort()
		return err
	}
	if err := os.Rename(w.f.Name(), w.final); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	return nil
}

// abort drops an unfinished spill.
func (w *spillWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// spillEncoder writes rows: the line, the engine's problems, then per
// mapped column a tag and the strings it announces.
type spillEncoder struct{ buf []byte }

const (
	tagValue = 1 << iota // in Values (cleaned): the value follows
	tagTyped             // typed otherwise (Row.typed): the text follows
)

func (e *spillEncoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *spillEncoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *spillEncoder) row(r *Row, pl *plan) {
	e.uvarint(uint64(r.Line))
	e.uvarint(uint64(len(r.Errors)))
	for _, fe := range r.Errors {
		e.str(fe.Column)
		e.str(fe.Code)
		params := ""
		if len(fe.Params) > 0 {
			b, _ := json.Marshal(fe.Params)
			params = string(b)
		}
		e.str(params)
	}
	for _, c := range pl.cols {
		v, inValues := r.Values[c.Key]
		typed, differs := "", false
		for _, t := range r.typed {
			if t.key == c.Key {
				typed, differs = t.text, true
			}
		}
		var tag byte
		if inValues {
			tag |= tagValue
		}
		if differs {
			tag |= tagTyped
		}
		e.buf = append(e.buf, tag)
		if inValues {
			e.str(v)
		}
		if differs {
			e.str(typed)
		}
	}
}

// ---- reading

type spillReader struct {
	st      *spillStore
	f       *os.File
	r       *bufio.Reader
	prefix  [8]byte
	block   uint32
	sealed  []byte
	plain   []byte
	zr      io.ReadCloser
	unz     bytes.Buffer
	cols    []Column
	trailer *spillTrailer
}

// open opens a batch's spill if it was written for the batch as it is
// now; any other spill is a *spillError.
func (st *spillStore) open(b *Batch, pl *plan, fp string) (*spillReader, error) {
	f, err := os.Open(st.path(b))
	if errors.Is(err, os.ErrNotExist) {
		return nil, badSpill("none")
	}
	if err != nil {
		return nil, badSpill("%v", err)
	}
	r := &spillReader{st: st, f: f, r: bufio.NewReaderSize(f, spillBuffer), cols: pl.cols}
	pre := make([]byte, len(spillMagic)+16)
	if _, err := io.ReadFull(r.r, pre); err != nil || string(pre[:len(spillMagic)]) != spillMagic {
		r.close()
		return nil, badSpill("not a spill")
	}
	if !bytes.Equal(pre[len(spillMagic):len(spillMagic)+8], st.keyID[:]) {
		r.close()
		return nil, badSpill("sealed with another key (another process)")
	}
	copy(r.prefix[:], pre[len(spillMagic)+8:])
	kind, body, err := r.get()
	if err != nil {
		r.close()
		return nil, err
	}
	var h spillHeader
	if kind != blockHeader || json.Unmarshal(body, &h) != nil {
		r.close()
		return nil, badSpill("no header")
	}
	keys := make([]string, len(pl.cols))
	for i, c := range pl.cols {
		keys[i] = c.Key
	}
	if h.Fingerprint != fp || !slices.Equal(h.Columns, keys) {
		r.close()
		return nil, badSpill("written for another file, mapping or options")
	}
	// Every block is authenticated before the commit relies on any
	// (a few milliseconds: nothing is inflated), and the dry run that
	// wrote them must be the one the batch recorded.
	start := int64(len(pre)) + 4 + int64(len(r.sealed))
	for r.trailer == nil {
		kind, body, err := r.get()
		switch {
		case err != nil:
			r.close()
			return nil, err
		case kind == blockTrailer:
			var t spillTrailer
			if json.Unmarshal(body, &t) != nil {
				r.close()
				return nil, badSpill("damaged trailer")
			}
			r.trailer = &t
		case kind != blockRows:
			r.close()
			return nil, badSpill("block %d of kind %q", r.block-1, kind)
		}
	}
	if _, err := r.r.Peek(1); err != io.EOF {
		r.close()
		return nil, badSpill("data after the trailer")
	}
	if r.trailer.Rows != b.Rows || r.trailer.Counts != b.Counts() {
		r.close()
		return nil, badSpill("written by another dry run (%d rows %+v, the batch says %d %+v)",
			r.trailer.Rows, r.trailer.Counts, b.Rows, b.Counts())
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		r.close()
		return nil, badSpill("%v", err)
	}
	r.r.Reset(f)
	r.block, r.trailer = 1, nil
	return r, nil
}

// replay hands the spilled rows to fn a chunk at a time, as the dry run
// read them from the file. The next chunk is read and decoded on another
// goroutine meanwhile (the commit's own goroutine is the bottleneck:
// Check and Apply), so at most three chunks are held.
func (r *spillReader) replay(ctx context.Context, fn func(rows []Row) error) error {
	type chunk struct {
		rows []Row
		err  error
	}
	ch := make(chan chunk, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		for {
			rows, err := r.next()
			select {
			case ch <- chunk{rows, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		wg.Wait() // the reader is closed after replay: nothing may read it then
	}()
	n := 0
	for c := range ch {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		if c.err == io.EOF {
			if n != r.trailer.Rows {
				return badSpill("%d rows replayed, %d spilled", n, r.trailer.Rows)
			}
			return nil
		}
		if c.err != nil {
			return c.err
		}
		n += len(c.rows)
		if err := fn(c.rows); err != nil {
			return err
		}
	}
	return badSpill("replay stopped")
}

// get reads and opens the next block.
func (r *spillReader) get() (byte, []byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r.r, n[:]); err != nil {
		return 0, nil, badSpill("truncated at block %d", r.block)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > spillMaxSize {
		return 0, nil, badSpill("block %d of %d bytes", r.block, size)
	}
	r.sealed = slices.Grow(r.sealed[:0], int(size))[:size]
	if _, err := io.ReadFull(r.r, r.sealed); err != nil {
		return 0, nil, badSpill("truncated at block %d", r.block)
	}
	nonce := make([]byte, r.st.aead.NonceSize())
	copy(nonce, r.prefix[:])
	binary.BigEndian.PutUint32(nonce[len(nonce)-4:], r.block)
	plain, err := r.st.aead.Open(r.plain[:0], nonce, r.sealed, []byte(spillMagic))
	if err != nil || len(plain) == 0 {
		return 0, nil, badSpill("block %d damaged", r.block)
	}
	r.plain = plain
	r.block++
	return plain[0], plain[1:], nil
}

// next returns the next chunk of rows; io.EOF after the last, when the
// trailer has been read (r.trailer).
func (r *spillReader) next() ([]Row, error) {
	kind, body, err := r.get()
	if err != nil {
		return nil, err
	}
	switch kind {
	case blockTrailer:
		var t spillTrailer
		if json.Unmarshal(body, &t) != nil {
			return nil, badSpill("damaged trailer")
		}
		r.trailer = &t
		return nil, io.EOF
	case blockRows:
	default:
		return nil, badSpill("block %d of kind %q", r.block-1, kind)
	}
	if r.zr == nil {
		r.zr = flate.NewReader(bytes.NewReader(body))
	} else if err := r.zr.(flate.Resetter).Reset(bytes.NewReader(body), nil); err != nil {
		return nil, badSpill("block %d: %v", r.block-1, err)
	}
	r.unz.Reset()
	if _, err := r.unz.ReadFrom(r.zr); err != nil {
		return nil, badSpill("block %d: %v", r.block-1, err)
	}
	d := spillDecoder{buf: r.unz.Bytes()}
	n := d.uvarint()
	if d.bad || n > 1<<20 {
		return nil, badSpill("block %d: bad row count", r.block-1)
	}
	rows := make([]Row, 0, n)
	for range n {
		rows = append(rows, d.row(r.cols))
		if d.bad {
			return nil, badSpill("block %d: damaged row", r.block-1)
		}
	}
	if len(d.buf) != 0 {
		return nil, badSpill("block %d: trailing bytes", r.block-1)
	}
	return rows, nil
}

func (r *spillReader) close() {
	if r.zr != nil {
		r.zr.Close()
	}
	r.f.Close()
}

type spillDecoder struct {
	buf []byte
	bad bool
}

func (d *spillDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.bad = true
		d.buf = nil
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *spillDecoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.buf)) {
		d.bad = true
		d.buf = nil
		return ""
	}
	s := string(d.buf[:n])
	d.buf = d.buf[n:]
	return s
}

func (d *spillDecoder) row(cols []Column) Row {
	r := Row{Line: int(d.uvarint())}
	if n := d.uvarint(); n > 0 && !d.bad {
		if n > uint64(len(d.buf)) {
			d.bad = true
			return r
		}
		r.Errors = make([]FieldError, 0, n)
		for range n {
			fe := FieldError{Column: d.str(), Code: d.str()}
			if p := d.str(); p != "" {
				if json.Unmarshal([]byte(p), &fe.Params) != nil {
					d.bad = true
				}
			}
			r.Errors = append(r.Errors, fe)
		}
	}
	r.Values = make(map[string]string, len(cols))
	for _, c := range cols {
		if d.bad || len(d.buf) == 0 {
			d.bad = true
			return r
		}
		tag := d.buf[0]
		d.buf = d.buf[1:]
		if tag&^(tagValue|tagTyped) != 0 {
			d.bad = true
			return r
		}
		if tag&tagValue != 0 {
			r.Values[c.Key] = d.str()
		}
		if tag&tagTyped != 0 {
			r.typed = append(r.typed, typedCell{key: c.Key, text: d.str()})
		}
	}
	return r
}

// ---- the service's side

// dropSpill removes a batch's spill: its dry run is discarded, run
// again, or committed.
func (s *Service) dropSpill(ctx context.Context, b *Batch) {
	if s.spill == nil {
		return
	}
	if err := s.spill.remove(b); err != nil {
		s.log.WarnContext(ctx, "remove an import spill", "batch", b.ID, "error", err)
	}
}

// sweepSpills removes expired spills, at most every SpillTTL/2 (and
// hour).
func (s *Service) sweepSpills(ctx context.Context) {
	if s.spill == nil {
		return
	}
	now := time.Now()
	s.sweepMu.Lock()
	if now.Sub(s.lastSweep) < min(s.spill.ttl/2, time.Hour) {
		s.sweepMu.Unlock()
		return
	}
	s.lastSweep = now
	s.sweepMu.Unlock()
	if err := s.spill.sweep(now); err != nil {
		s.log.WarnContext(ctx, "sweep import spills", "error", err)
	}
}
