package notify

import (
	"crypto/tls"

	"github.com/renshi/renshi/internal/platform/ids"
)

// SetHook installs a hook called at each sending stage ("claimed" after
// a delivery is claimed, "sent" after the mail server accepted it); an
// error from it ends the run there without another write, as if the
// process died.
func SetHook(s *Service, h func(stage string, deliveryID ids.ID) error) {
	if h == nil {
		s.hook = nil
		return
	}
	s.hook = func(stage string, d *Delivery) error { return h(stage, d.ID) }
}

// SetTLSConfig sets the client's TLS settings (a test server's CA).
func SetTLSConfig(s *Service, c *tls.Config) { s.tlsConfig = c }
