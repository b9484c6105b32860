// Package clean reads the values people type into spreadsheets: dates in
// a dozen styles, mobile numbers with +86 and spaces, full-width digits,
// enumerations by Chinese or English label. Each function returns the
// value and an i18n error code ("" when fine), and never panics.
package clean

// Choice is one value of an enumeration with its labels.
type Choice struct {
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}
