package files_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/errs"
	"github.com/renshi/renshi/internal/platform/files"
	"github.com/renshi/renshi/internal/platform/ids"
	"github.com/renshi/renshi/internal/platform/rbac"
)

var pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2000)...)

func TestPutSniffLimitOpen(t *testing.T) {
	d := dbtest.MustOpen(t)
	svc := files.NewService(d, files.LocalDisk{Root: t.TempDir()})
	tenant := ids.New()
	ctx := rbac.WithPrincipal(context.Background(), rbac.NewPrincipal(rbac.Principal{TenantID: tenant, UserID: 1}, nil))
	f, err := svc.Put(ctx, "../../合同.pdf", bytes.NewReader(pdf), files.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "合同.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) {
		t.Fatalf("%+v", f)
	}
	rc, got, err := svc.Open(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b, pdf) || got.SHA256 != f.SHA256 {
		t.Fatal("bytes differ")
	}
	// An executable renamed to .pdf is refused by its content.
	if _, err := svc.Put(ctx, "cv.pdf", strings.NewReader("MZ\x90\x00 not a pdf at all"), files.Limits{}); !errs.Is(err, errs.Invalid, "invalid") {
		t.Fatalf("disguised file: %v", err)
	}
	if _, err := svc.Put(ctx, "big.pdf", bytes.NewReader(pdf), files.Limits{MaxBytes: 1000}); errs.KindOf(err) != errs.TooLarge {
		t.Fatalf("size limit: %v", err)
	}
	if _, err := svc.Put(ctx, "empty.pdf", strings.NewReader(""), files.Limits{}); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("empty: %v", err)
	}
	// Another tenant cannot open it.
	other := rbac.WithPrincipal(context.Background(), rbac.NewPrincipal(rbac.Principal{TenantID: ids.New(), UserID: 2}, nil))
	if _, _, err := svc.Open(other, f.ID); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("cross-tenant open: %v", err)
	}
}

func TestSniff(t *testing.T) {
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	cases := []struct {
		head []byte
		name string
		kind files.Kind
	}{
		{pdf, "a.pdf", files.PDF},
		{[]byte("\x89PNG\r\n\x1a\n0000"), "a.png", files.Image},
		{zip, "a.docx", files.Office},
		{zip, "a.zip", ""},
		{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "a.xls", files.Office},
		{[]byte("name,age\n张三,30\n"), "a.csv", files.Text},
		{[]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), "v.mp4", files.Video},
	}
	for _, c := range cases {
		if _, k := files.Sniff(c.head, c.name); k != c.kind {
			t.Errorf("%s: kind %q want %q", c.name, k, c.kind)
		}
	}
}
