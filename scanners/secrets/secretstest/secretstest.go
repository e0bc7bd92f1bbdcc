// Package secretstest makes credentials in the real formats the secrets
// scanner detects (the formats of osv-scalibr's Veles tests, with values
// of its own, fresh on every run), for tests that check a found secret is
// never repeated.
package secretstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"math/big"
	"strings"
	"testing"
)

// Secret is one credential and the file text holding it.
type Secret struct {
	Rule string // the scanner's rule for it
	// Values are the secret parts: none of them, nor any 8 characters of
	// one past its public prefix, may appear in an output.
	Values []string
	// Public is how long the public prefix of each value is ("ghp_").
	Public int
	// Text is a line (or lines) of a file holding it.
	Text string
}

const (
	alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	upper = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	hexa  = "0123456789abcdef"
	b64   = alnum + "+/"
)

func random(t testing.TB, chars string, n int) string {
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteByte(chars[i.Int64()])
	}
	return b.String()
}

// githubToken is a token with GitHub's CRC32 checksum, which the detector checks.
func githubToken(t testing.TB, prefix string) string {
	body := random(t, alnum, 30)
	crc := crc32.ChecksumIEEE([]byte(body))
	sum := make([]byte, 6)
	for i := 5; i >= 0; i-- {
		sum[i] = alnum[crc%62]
		crc /= 62
	}
	return prefix + "_" + body + string(sum)
}

// All returns one secret of each of several detectors: GitHub, GitLab,
// PyPI, RubyGems, npm, Stripe, Slack, AWS (a key pair) and an EC private key.
func All(t testing.TB) []Secret {
	t.Helper()
	gh := githubToken(t, "ghp")
	gl := "glpat-" + random(t, alnum, 20)
	pypi := "pypi-AgEIcHlwaS5vcmc" + random(t, alnum+"-_", 90)
	gems := "rubygems_" + random(t, hexa, 48)
	npm := "npm_" + random(t, alnum, 36)
	stripe := "sk_live_" + random(t, alnum, 48)
	slack := "xapp-1-A" + random(t, upper, 10) + "-" + random(t, "0123456789", 13) + "-" + random(t, hexa, 64)
	awsID := "AKIA" + random(t, upper, 16)
	// The detector wants a word boundary at both ends: no '+' or '/' there.
	awsSecret := random(t, alnum, 1) + random(t, b64, 38) + random(t, alnum, 1)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	var body []string
	for _, l := range strings.Split(pemText, "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			body = append(body, l)
		}
	}
	return []Secret{
		{"githubclassicpat", []string{gh}, 4, fmt.Sprintf("GITHUB_TOKEN = %q\n", gh)},
		{"gitlabpat", []string{gl}, 6, fmt.Sprintf("gitlab_token: %s\n", gl)},
		{"pypiapitoken", []string{pypi}, 20, fmt.Sprintf("[pypi]\nusername = __token__\npassword = %s\n", pypi)},
		{"rubygemsapikey", []string{gems}, 9, fmt.Sprintf("---\n:rubygems_api_key: %s\n", gems)},
		{"npmjsaccesstoken", []string{npm}, 4, fmt.Sprintf("//registry.npmjs.org/:_authToken=%s\n", npm)},
		{"stripesecretkey", []string{stripe}, 8, fmt.Sprintf("STRIPE_KEY=%s\n", stripe)},
		{"slackappleveltoken", []string{slack}, 8, fmt.Sprintf("slack = %q\n", slack)},
		{"awsaccesskey", []string{awsID, awsSecret}, 4, fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", awsID, awsSecret)},
		{"privatekey", body, 0, pemText},
	}
}

// Files returns one file per secret, named by name (a format for the
// rule: "conf/%s.txt"), holding head and the secret's text.
func Files(secrets []Secret, name, head string) map[string]string {
	files := map[string]string{}
	for _, s := range secrets {
		files[fmt.Sprintf(name, s.Rule)] = head + s.Text
	}
	return files
}

// NoLeaks reports each secret text leaks (see Leaks); what names text.
func NoLeaks(t testing.TB, what, text string, secrets []Secret) {
	t.Helper()
	if l := Leaks(text, secrets); len(l) > 0 {
		t.Errorf("%s repeats secrets: %v", what, l)
	}
}

// Leaks returns, for each value of secrets found in text, what of it
// text holds: the whole value or 8 characters of it.
func Leaks(text string, secrets []Secret) []string {
	var out []string
	for _, s := range secrets {
		for _, v := range s.Values {
			if strings.Contains(text, v) {
				out = append(out, s.Rule+": the whole value")
				continue
			}
			for i := max(0, s.Public-7); i+8 <= len(v); i++ {
				if strings.Contains(text, v[i:i+8]) {
					out = append(out, fmt.Sprintf("%s: %q", s.Rule, v[i:i+8]))
					break
				}
			}
		}
	}
	return out
}
