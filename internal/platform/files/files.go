// Package files keeps uploaded files: metadata in platform_files, bytes
// in a Storage (local disk by default; an S3-compatible store can
// implement the same interface). Types are sniffed from the content, not
// trusted from the name, and sizes are limited while reading.
package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/renshi/renshi/internal/platform/db"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/i18n"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

// File is a stored file's metadata.
type File struct {
	bun.BaseModel `bun:"table:platform_files"`

	TenantID    ids.ID    `bun:"tenant_id,pk" json:"-"`
	ID          ids.ID    `bun:"id,pk" json:"id"`
	Name        string    `bun:"name" json:"name"`
	ContentType string    `bun:"content_type" json:"contentType"`
	Size        int64     `bun:"size" json:"size"`
	SHA256      string    `bun:"sha256" json:"sha256"`
	StorageKey  string    `bun:"storage_key" json:"-"`
	CreatedBy   ids.ID    `bun:"created_by" json:"createdBy"`
	CreatedAt   time.Time `bun:"created_at" json:"createdAt"`
}

// Kind is a family of accepted content.
type Kind string

const (
	PDF    Kind = "pdf"
	Image  Kind = "image"  // PNG, JPEG, GIF, WebP
	Office Kind = "office" // .docx .xlsx .pptx (zip) and legacy .doc .xls .ppt (OLE)
	Video  Kind = "video"  // MP4
	Text   Kind = "text"   // UTF-8 text, CSV
)

// Limits bound an upload.
type Limits struct {
	MaxBytes int64  // default 20 MiB
	Kinds    []Kind // accepted kinds; empty accepts PDF, images and office documents
}

// Storage holds file bytes by key.
type Storage interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Service stores and serves files of the principal's tenant.
type Service struct {
	db      *db.DB
	storage Storage
}

// NewService returns the file service.
func NewService(d *db.DB, s Storage) *Service { return &Service{db: d, storage: s} }

// Put reads r (at most lim.MaxBytes), checks its real type against the
// accepted kinds, stores it and records it, and returns the metadata. It
// joins the transaction in ctx; if that rolls back the bytes are removed.
func (s *Service) Put(ctx context.Context, name string, r io.Reader, lim Limits) (*File, error) {
	p, err := rbac.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = 20 << 20
	}
	if len(lim.Kinds) == 0 {
		lim.Kinds = []Kind{PDF, Image, Office}
	}
	name = cleanName(name)
	// Read the head to sniff, then stream the rest through a hash and a
	// size guard into the storage.
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	if n == 0 {
		return nil, errs.InvalidField("file", "files.empty")
	}
	ctype, kind := Sniff(head, name)
	if !accepted(kind, lim.Kinds) {
		return nil, errs.InvalidField("file", "files.type_not_allowed", errs.Params{"type": ctype})
	}
	h := sha256.New()
	body := io.MultiReader(bytes.NewReader(head), r)
	counted := &limitReader{r: io.TeeReader(body, h), left: lim.MaxBytes + 1}
	f := &File{TenantID: p.TenantID, ID: ids.New(), Name: name, ContentType: ctype, CreatedBy: p.UserID, CreatedAt: time.Now().UTC()}
	f.StorageKey = fmt.Sprintf("%d/%s/%d", p.TenantID, f.CreatedAt.Format("2006/01"), f.ID)
	if err := s.storage.Put(ctx, f.StorageKey, counted); err != nil {
		_ = s.storage.Delete(context.WithoutCancel(ctx), f.StorageKey)
		if errors.Is(err, errTooLarge) {
			return nil, errs.E(errs.TooLarge, "too_large", errs.Params{"limit": humanSize(lim.MaxBytes)})
		}
		return nil, err
	}
	f.Size = lim.MaxBytes + 1 - counted.left
	f.SHA256 = hex.EncodeToString(h.Sum(nil))
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.db.Conn(ctx).NewInsert().Model(f).Exec(ctx)
		return err
	})
	if err != nil {
		_ = s.storage.Delete(context.WithoutCancel(ctx), f.StorageKey)
		return nil, err
	}
	return f, nil
}

// Open returns a file of the caller's tenant and its bytes. Callers check
// that the caller may see the object the file belongs to.
func (s *Service) Open(ctx context.Context, id ids.ID) (io.ReadCloser, *File, error) {
	t, err := rbac.Tenant(ctx)
	if err != nil {
		return nil, nil, err
	}
	f := new(File)
	if err := s.db.Conn(ctx).NewSelect().Model(f).Where("tenant_id = ? AND id = ?", t, id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, errs.NotFoundf("object.file")
		}
		return nil, nil, err
	}
	rc, err := s.storage.Open(ctx, f.StorageKey)
	if err != nil {
		return nil, nil, err
	}
	return rc, f, nil
}

// Get returns a file's metadata.
func (s *Service) Get(ctx context.Context, id ids.ID) (*File, error) {
	rc, f, err := s.Open(ctx, id)
	if err != nil {
		return nil, err
	}
	rc.Close()
	return f, nil
}

func accepted(k Kind, kinds []Kind) bool {
	for _, a := range kinds {
		if a == k {
			return true
		}
	}
	return false
}

// Sniff decides a file's content type and kind from its first bytes; the
// name only tells apart formats that share a container (zip: docx/xlsx).
func Sniff(head []byte, name string) (string, Kind) {
	ext := strings.ToLower(filepath.Ext(name))
	ct := http.DetectContentType(head)
	switch {
	case strings.HasPrefix(ct, "application/pdf"):
		return "application/pdf", PDF
	case ct == "image/png", ct == "image/jpeg", ct == "image/gif", ct == "image/webp":
		return ct, Image
	case ct == "video/mp4":
		return ct, Video
	case ct == "application/zip":
		switch ext {
		case ".docx":
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Office
		case ".xlsx":
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Office
		case ".pptx":
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation", Office
		}
		return ct, ""
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}): // OLE compound file
		switch ext {
		case ".doc":
			return "application/msword", Office
		case ".xls":
			return "application/vnd.ms-excel", Office
		case ".ppt":
			return "application/vnd.ms-powerpoint", Office
		}
		return "application/x-ole-storage", ""
	case strings.HasPrefix(ct, "text/plain") && utf8.Valid(head[:max(0, len(head)-3)]):
		if ext == ".csv" {
			return "text/csv; charset=utf-8", Text
		}
		return "text/plain; charset=utf-8", Text
	}
	return ct, ""
}

func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

var errTooLarge = errors.New("files: over the size limit")

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left <= 0 && err == nil {
		return n, errTooLarge
	}
	return n, err
}

func humanSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// LocalDisk stores files under a directory.
type LocalDisk struct{ Root string }

func (l LocalDisk) path(key string) (string, error) {
	clean := filepath.Clean("/" + key)
	if strings.Contains(key, "..") {
		return "", errors.New("files: bad key")
	}
	return filepath.Join(l.Root, clean), nil
}

// Put writes the bytes atomically (temp file, then rename).
func (l LocalDisk) Put(_ context.Context, key string, r io.Reader) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Open reads the bytes.
func (l LocalDisk) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// Delete removes the bytes (missing is fine).
func (l LocalDisk) Delete(_ context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func init() {
	i18n.Register(i18n.ZH, map[string]string{
		"files.empty":            "{field}是空文件",
		"files.type_not_allowed": "不支持的文件类型（{type}）",
		"object.file":            "文件",
		"field.file":             "文件",
	})
	i18n.Register(i18n.EN, map[string]string{
		"files.empty":            "{field} is empty",
		"files.type_not_allowed": "This file type is not accepted ({type})",
		"object.file":            "File",
		"field.file":             "File",
	})
}
