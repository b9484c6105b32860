//go:build noui

package ui

import "io/fs"

// FS returns nil: this binary was built without the web app.
func FS() fs.FS { return nil }
