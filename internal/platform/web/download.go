package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/renshi/renshi/internal/platform/export"
)

// ExportQuery is embedded by export inputs.
type ExportQuery struct {
	Format string `query:"format" enum:"csv,xlsx" default:"xlsx" doc:"file format"`
}

// Download streams a CSV or Excel file built by write. Callers check
// permissions before returning it: once streaming starts the status is
// sent. The file name gets the date and keeps Chinese characters.
func Download(name string, q ExportQuery, sheet string, write func(ctx context.Context, w export.Writer) error) *huma.StreamResponse {
	format := export.Format(q.Format)
	if format != export.CSV {
		format = export.XLSX
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		ctx := hctx.Context()
		filename := name + "-" + time.Now().Format("20060102") + "." + string(format)
		hctx.SetHeader("Content-Type", format.ContentType())
		hctx.SetHeader("Content-Disposition", export.ContentDisposition(filename))
		hctx.SetHeader("Cache-Control", "no-store")
		hctx.SetStatus(200)
		w, err := export.New(hctx.BodyWriter(), format, sheet)
		if err == nil {
			err = write(ctx, w)
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			// Headers are gone; the truncated file and the log say it failed.
			slog.ErrorContext(ctx, "export failed", "requestId", RequestID(ctx), "file", filename, "err", err)
		}
	}}
}

// StreamFile sends a stored file. Seekable files (local disk) are served
// with range requests, so a browser can seek in a video; attachment asks
// the browser to save rather than show it.
func StreamFile(rc io.ReadCloser, contentType, name string, modified time.Time, attachment bool) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer rc.Close()
		hctx.SetHeader("Content-Type", contentType)
		hctx.SetHeader("X-Content-Type-Options", "nosniff")
		hctx.SetHeader("Cache-Control", "private, no-store")
		if attachment {
			hctx.SetHeader("Content-Disposition", export.ContentDisposition(name))
		} else {
			// Shown inside the app's own pages (a PDF viewer in a frame);
			// uploads are sniffed, never HTML, so framing them is safe.
			hctx.SetHeader("X-Frame-Options", "SAMEORIGIN")
			hctx.SetHeader("Content-Security-Policy", "frame-ancestors 'self'")
		}
		if rs, ok := rc.(io.ReadSeeker); ok {
			if r, w := humago.Unwrap(hctx); r != nil {
				http.ServeContent(w, r, "", modified, rs)
				return
			}
		}
		hctx.SetStatus(200)
		_, _ = io.Copy(hctx.BodyWriter(), rc)
	}}
}
