package crypto_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/renshi/renshi/internal/platform/crypto"
	"github.com/renshi/renshi/internal/platform/dbtest"
	"github.com/renshi/renshi/internal/platform/ids"
)

func master(t *testing.T) []byte {
	k, err := crypto.ParseMasterKey(crypto.NewMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenAndBinding(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	k, err := crypto.Open(ctx, d, master(t))
	if err != nil {
		t.Fatal(err)
	}
	aad := crypto.AAD("auth_users", "id_number_enc", 42)
	sealed, err := k.Encrypt(aad, "110101199003074514")
	if err != nil || strings.Contains(sealed, "110101") {
		t.Fatalf("sealed %q err %v", sealed, err)
	}
	plain, err := k.Decrypt(ctx, aad, sealed)
	if err != nil || plain != "110101199003074514" {
		t.Fatalf("open: %q %v", plain, err)
	}
	// The same value in another tenant or column does not open.
	if _, err := k.Decrypt(ctx, crypto.AAD("auth_users", "id_number_enc", 43), sealed); err == nil {
		t.Fatal("value moved to another tenant must not open")
	}
	if e, _ := k.Encrypt(aad, ""); e != "" {
		t.Fatal("empty stays empty")
	}
	if a, b := k.BlindIndex("id", "11010119900307451x"), k.BlindIndex("id", " 11010119900307451X "); a != b || a == "" {
		t.Fatal("blind index must normalise case and space")
	}
	if k.BlindIndex("id", "x") == k.BlindIndex("mobile", "x") {
		t.Fatal("blind index must separate fields")
	}
}

func TestWrongMasterKeyRefused(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	if _, err := crypto.Open(ctx, d, master(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := crypto.Open(ctx, d, master(t)); !errors.Is(err, crypto.ErrWrongMasterKey) {
		t.Fatalf("want ErrWrongMasterKey, got %v", err)
	}
}

func TestRotateReencryptsRegisteredColumns(t *testing.T) {
	d := dbtest.MustOpen(t)
	ctx := context.Background()
	m := master(t)
	k, err := crypto.Open(ctx, d, m)
	if err != nil {
		t.Fatal(err)
	}
	// auth_users.id_number_enc is a real encrypted column; use a row of it.
	crypto.RegisterColumn(crypto.Column{Table: "auth_users", Column: "id_number_enc"})
	tenant := ids.New()
	now := ids.New().Time()
	err = d.WithTx(ctx, func(ctx context.Context) error {
		if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO platform_tenants (id, code, name, created_at, updated_at) VALUES (?, 't', 'T', ?, ?)", tenant, now, now); err != nil {
			return err
		}
		for i := 0; i < 1200; i++ {
			sealed, _ := k.Encrypt(crypto.AAD("auth_users", "id_number_enc", tenant), "110101199003074514")
			if _, err := d.Conn(ctx).ExecContext(ctx, "INSERT INTO auth_users (tenant_id, id, login, display_name, password_hash, password_changed_at, id_number_enc, created_at, updated_at) VALUES (?, ?, ?, 'x', 'x', ?, ?, ?, ?)",
				tenant, ids.New(), "u"+ids.New().String(), now, sealed, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	old := k.ActiveKeyID()
	newID, err := k.Rotate(ctx)
	if err != nil || newID == old {
		t.Fatalf("rotate: %v %v", newID, err)
	}
	n, err := k.Reencrypt(ctx, nil)
	if err != nil || n != 1200 {
		t.Fatalf("reencrypt %d %v", n, err)
	}
	var vals []string
	if err := d.Conn(ctx).NewRaw("SELECT id_number_enc FROM auth_users").Scan(ctx, &vals); err != nil {
		t.Fatal(err)
	}
	k2, err := crypto.Open(ctx, d, m) // a fresh process sees the same keys
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		if crypto.KeyIDOf(v) != newID {
			t.Fatalf("value still under %s", crypto.KeyIDOf(v))
		}
		if p, err := k2.Decrypt(ctx, crypto.AAD("auth_users", "id_number_enc", tenant), v); err != nil || p != "110101199003074514" {
			t.Fatalf("open after rotation: %q %v", p, err)
		}
	}
	if n, _ := k.Reencrypt(ctx, nil); n != 0 {
		t.Fatalf("second pass resealed %d", n)
	}
}

func TestMask(t *testing.T) {
	cases := map[[2]string]string{
		{"320102198001011234", "id"}: "3201**********1234",
		{"13812345678", "mobile"}:    "138****5678",
		{"123", "id"}:                "***",
		{"", "id"}:                   "",
	}
	for in, want := range cases {
		var got string
		if in[1] == "id" {
			got = crypto.MaskIDNumber(in[0])
		} else {
			got = crypto.MaskMobile(in[0])
		}
		if got != want {
			t.Errorf("mask %q = %q want %q", in[0], got, want)
		}
	}
}
