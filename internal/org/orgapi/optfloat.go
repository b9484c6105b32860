package orgapi

import (
	"encoding/json"

	"github.com/danielgtaylor/huma/v2"
)

// optFloat is an optional number in a request body: absent (Set false),
// null (Set, V nil) or a value.
type optFloat struct {
	Set bool
	V   *float64
}

func (o *optFloat) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.V)
}

// Schema documents optFloat: a number or null.
func (optFloat) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeNumber, Nullable: true}
}
