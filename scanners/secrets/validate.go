package secrets

import (
	"context"
	"net/http"
	"sync"

	"github.com/google/osv-scalibr/veles"
	"github.com/google/osv-scalibr/veles/secrets/anthropicapikey"
	"github.com/google/osv-scalibr/veles/secrets/common/simplevalidate"
	"github.com/google/osv-scalibr/veles/secrets/cratesioapitoken"
	"github.com/google/osv-scalibr/veles/secrets/denopat"
	"github.com/google/osv-scalibr/veles/secrets/digitaloceanapikey"
	"github.com/google/osv-scalibr/veles/secrets/github"
	"github.com/google/osv-scalibr/veles/secrets/gitlabpat"
	"github.com/google/osv-scalibr/veles/secrets/grokxaiapikey"
	"github.com/google/osv-scalibr/veles/secrets/huggingfaceapikey"
	"github.com/google/osv-scalibr/veles/secrets/postmanapikey"
	"github.com/google/osv-scalibr/veles/secrets/pypiapitoken"
	"github.com/google/osv-scalibr/veles/secrets/slacktoken"
	"github.com/google/osv-scalibr/veles/secrets/stripeapikeys"
)

// The validation states a finding's "validation" property takes.
const (
	Live    = "live"    // the provider accepted it: revoke it now
	Revoked = "revoked" // the provider refused it: revoked, expired or never valid
	Unknown = "unknown" // no validator for it, or the provider did not answer
)

// validator asks providers, once per distinct secret.
type validator struct {
	engine *veles.ValidationEngine
	mu     sync.Mutex
	seen   map[string]string
}

// newValidator registers the Veles validators that send one fixed request
// to the provider's own endpoint (simplevalidate); client, when set,
// replaces their HTTP client.
func newValidator(client *http.Client) *validator {
	return &validator{seen: map[string]string{}, engine: veles.NewValidationEngine(
		with(anthropicapikey.NewModelValidator(), client),
		with(cratesioapitoken.NewValidator(), client),
		with(denopat.NewUserTokenValidator(), client),
		with(denopat.NewOrgTokenValidator(), client),
		with(digitaloceanapikey.NewValidator(), client),
		with(github.NewClassicPATValidator(), client),
		with(github.NewFineGrainedPATValidator(), client),
		with(github.NewOAuthTokenValidator(), client),
		with(github.NewAppU2STokenValidator(), client),
		with(github.NewAppS2STokenValidator(), client),
		with(gitlabpat.NewValidator(), client),
		with(grokxaiapikey.NewAPIValidator(), client),
		with(huggingfaceapikey.NewValidator(), client),
		with(postmanapikey.NewAPIValidator(), client),
		with(pypiapitoken.NewValidator(), client),
		with(slacktoken.NewAppLevelTokenValidator(), client),
		with(stripeapikeys.NewSecretKeyValidator(), client),
		with(stripeapikeys.NewRestrictedKeyValidator(), client),
	)}
}

func with[S veles.Secret](v *simplevalidate.Validator[S], client *http.Client) veles.ValidationEngineOption {
	if client != nil {
		v.HTTPC = client
	}
	return veles.WithValidator[S](v)
}

// check is the secret's validation state. Errors are not shown: a
// validator's error may quote the request, and so the secret.
func (v *validator) check(ctx context.Context, s veles.Secret) string {
	key := digest(primary(s), s)
	v.mu.Lock()
	defer v.mu.Unlock()
	if st, ok := v.seen[key]; ok {
		return st
	}
	st := Unknown
	switch status, _ := v.engine.Validate(ctx, s); status {
	case veles.ValidationValid:
		st = Live
	case veles.ValidationInvalid:
		st = Revoked
	}
	v.seen[key] = st
	return st
}
