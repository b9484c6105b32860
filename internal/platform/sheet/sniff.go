package sheet

import (
	"bytes"
	"encoding/binary"
	"io"
	"unicode/utf16"

	"github.com/renshi/renshi/internal/platform/errs"
)

var (
	cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// "EncryptedPackage" as a CFB directory entry name (UTF-16LE): Office
	// keeps a password-protected .xlsx as this stream in a CFB container.
	encryptedName = utf16le("EncryptedPackage")
)

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func isCFB(head []byte) bool { return bytes.HasPrefix(head, cfbMagic) }

func isZip(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06"))
}

// sniffCFB tells a password-protected workbook from a legacy .xls; it
// always returns an error since neither can be read.
func sniffCFB(r io.ReaderAt, size int64) error {
	enc, ok := cfbHasStream(r, size, encryptedName)
	if !ok {
		// The directory could not be walked (a damaged or unusual file):
		// look for the name anywhere.
		enc = scanFor(r, size, encryptedName)
	}
	if enc {
		return errs.E(errs.Invalid, "sheet.encrypted")
	}
	return errs.E(errs.Invalid, "sheet.legacy_xls")
}

// cfbHasStream walks the directory of a Compound File Binary ([MS-CFB])
// looking for an entry named name. ok is false when the structure is not
// what the specification says.
func cfbHasStream(r io.ReaderAt, size int64, name []byte) (found, ok bool) {
	hdr := make([]byte, 512)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return false, false
	}
	shift := binary.LittleEndian.Uint16(hdr[30:])
	if shift != 9 && shift != 12 {
		return false, false
	}
	secSize := int64(1) << shift
	nSect := (size - 512) / secSize // sectors after the header
	if nSect <= 0 {
		return false, false
	}
	numFAT := binary.LittleEndian.Uint32(hdr[44:])
	dirStart := binary.LittleEndian.Uint32(hdr[48:])
	// The header lists the first 109 FAT sectors; enough for files up to
	// about 7 MiB (512-byte sectors) or 448 MiB (4 KiB sectors). Longer
	// DIFAT chains fall back to the scan.
	if numFAT == 0 || numFAT > 109 {
		return false, false
	}
	offset := func(sec uint32) int64 { return 512 + int64(sec)*secSize }
	fatAt := func(idx uint32) (uint32, bool) {
		per := uint32(secSize / 4)
		k := idx / per
		if k >= numFAT {
			return 0, false
		}
		fatSec := binary.LittleEndian.Uint32(hdr[76+4*k:])
		if int64(fatSec) >= nSect {
			return 0, false
		}
		var b [4]byte
		if _, err := r.ReadAt(b[:], offset(fatSec)+int64(idx%per)*4); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint32(b[:]), true
	}
	sec := make([]byte, secSize)
	const endOfChain = 0xFFFFFFFE
	for steps, s := int64(0), dirStart; s != endOfChain; steps++ {
		if int64(s) >= nSect || steps > nSect {
			return false, false // out of range or a loop
		}
		if _, err := r.ReadAt(sec, offset(s)); err != nil {
			return false, false
		}
		for e := int64(0); e+128 <= secSize; e += 128 {
			ent := sec[e : e+128]
			n := int(binary.LittleEndian.Uint16(ent[64:]))
			if n >= 2 && n <= 64 && bytes.Equal(ent[:n-2], name) {
				return true, true
			}
		}
		next, good := fatAt(s)
		if !good {
			return false, false
		}
		s = next
	}
	return false, true
}

// scanFor looks for needle anywhere in the file, chunk by chunk.
func scanFor(r io.ReaderAt, size int64, needle []byte) bool {
	const chunk = 1 << 20
	buf := make([]byte, chunk+len(needle))
	for off := int64(0); off < size; off += chunk {
		n, _ := r.ReadAt(buf, off)
		if n <= 0 {
			return false
		}
		if bytes.Contains(buf[:n], needle) {
			return true
		}
	}
	return false
}
