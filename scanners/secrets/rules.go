package secrets

import (
	"strings"

	"github.com/google/osv-scalibr/veles"
	"github.com/google/osv-scalibr/veles/secrets/anthropicapikey"
	"github.com/google/osv-scalibr/veles/secrets/awsaccesskey"
	"github.com/google/osv-scalibr/veles/secrets/azurestorageaccountaccesskey"
	"github.com/google/osv-scalibr/veles/secrets/azuretoken"
	"github.com/google/osv-scalibr/veles/secrets/bitwardenoauth2access"
	"github.com/google/osv-scalibr/veles/secrets/circleci"
	"github.com/google/osv-scalibr/veles/secrets/cloudflareapitoken"
	"github.com/google/osv-scalibr/veles/secrets/cratesioapitoken"
	"github.com/google/osv-scalibr/veles/secrets/cursorapikey"
	"github.com/google/osv-scalibr/veles/secrets/denopat"
	"github.com/google/osv-scalibr/veles/secrets/digitaloceanapikey"
	"github.com/google/osv-scalibr/veles/secrets/discordbottoken"
	"github.com/google/osv-scalibr/veles/secrets/dockerhubpat"
	"github.com/google/osv-scalibr/veles/secrets/elasticcloudapikey"
	"github.com/google/osv-scalibr/veles/secrets/gcpapikey"
	"github.com/google/osv-scalibr/veles/secrets/gcpexpressmode"
	"github.com/google/osv-scalibr/veles/secrets/gcpoauth2access"
	"github.com/google/osv-scalibr/veles/secrets/gcpoauth2client"
	"github.com/google/osv-scalibr/veles/secrets/gcpsak"
	"github.com/google/osv-scalibr/veles/secrets/gcshmackey"
	"github.com/google/osv-scalibr/veles/secrets/github"
	"github.com/google/osv-scalibr/veles/secrets/gitlabpat"
	"github.com/google/osv-scalibr/veles/secrets/grokxaiapikey"
	"github.com/google/osv-scalibr/veles/secrets/hashicorpvault"
	"github.com/google/osv-scalibr/veles/secrets/hcp"
	"github.com/google/osv-scalibr/veles/secrets/herokuplatformkey"
	"github.com/google/osv-scalibr/veles/secrets/http"
	"github.com/google/osv-scalibr/veles/secrets/huggingfaceapikey"
	"github.com/google/osv-scalibr/veles/secrets/jwt"
	"github.com/google/osv-scalibr/veles/secrets/mistralapikey"
	"github.com/google/osv-scalibr/veles/secrets/npmjsaccesstoken"
	"github.com/google/osv-scalibr/veles/secrets/onepasswordkeys"
	"github.com/google/osv-scalibr/veles/secrets/openai"
	"github.com/google/osv-scalibr/veles/secrets/openrouter"
	"github.com/google/osv-scalibr/veles/secrets/packagist"
	"github.com/google/osv-scalibr/veles/secrets/paystacksecretkey"
	"github.com/google/osv-scalibr/veles/secrets/perplexityapikey"
	"github.com/google/osv-scalibr/veles/secrets/postmanapikey"
	"github.com/google/osv-scalibr/veles/secrets/privatekey"
	"github.com/google/osv-scalibr/veles/secrets/pypiapitoken"
	"github.com/google/osv-scalibr/veles/secrets/pyxkeyv1"
	"github.com/google/osv-scalibr/veles/secrets/pyxkeyv2"
	"github.com/google/osv-scalibr/veles/secrets/recaptchakey"
	"github.com/google/osv-scalibr/veles/secrets/rubygemsapikey"
	"github.com/google/osv-scalibr/veles/secrets/salesforceoauth2access"
	"github.com/google/osv-scalibr/veles/secrets/salesforceoauth2client"
	"github.com/google/osv-scalibr/veles/secrets/salesforceoauth2jwt"
	"github.com/google/osv-scalibr/veles/secrets/salesforceoauth2refresh"
	"github.com/google/osv-scalibr/veles/secrets/sendgrid"
	"github.com/google/osv-scalibr/veles/secrets/slacktoken"
	"github.com/google/osv-scalibr/veles/secrets/squareapikey"
	"github.com/google/osv-scalibr/veles/secrets/stripeapikeys"
	"github.com/google/osv-scalibr/veles/secrets/supabase"
	"github.com/google/osv-scalibr/veles/secrets/telegrambotapitoken"
	"github.com/google/osv-scalibr/veles/secrets/tinkkeyset"
	"github.com/google/osv-scalibr/veles/secrets/urlcreds"
	"github.com/google/osv-scalibr/veles/secrets/vapid"
)

// detector is one rule: a Veles detector under the name osv-scalibr gives
// its plugin ("secrets/githubclassicpat" is rule githubclassicpat), so that
// a rule ID can be looked up in osv-scalibr.
type detector struct {
	id, title string
	critical  bool // a private key or a cloud provider's credential
	// need are lower-case strings one of which the text must hold (case
	// folded) for the detector to match: read off its patterns, so that a
	// file without any is not run through them. nil runs it on every file.
	need []string
	new  func() veles.Detector
}

// catalogue is every detector the scanner runs: osv-scalibr's default
// secret detectors (extractor/filesystem/list SecretDetectors) and the
// Veles detectors osv-scalibr runs only on named files (AWS, Bitwarden,
// Cloudflare). Left out: HTTP cookies and CSRF tokens (captured traffic,
// not committed credentials) and the sensitive-information detectors
// (IBAN, SSN), which are not credentials.
var catalogue = []detector{
	{"anthropicapikey", "Anthropic API key", false, []string{"sk-ant-"}, anthropicapikey.NewDetector},
	{"awsaccesskey", "AWS access key and secret", true, []string{"akia", "asia"}, awsaccesskey.NewDetector},
	{"azurestorageaccountaccesskey", "Azure storage account access key", true, []string{"azure", "storage"}, azurestorageaccountaccesskey.NewDetector},
	{"azuretoken", "Azure access token", true, nil, azuretoken.NewDetector},
	{"bitwardenoauth2access", "Bitwarden OAuth2 client credentials", false, []string{"_token_apikeyclientsecret"}, bitwardenoauth2access.NewDetector},
	{"circlecipat", "CircleCI personal access token", false, []string{"ccipat_"}, circleci.NewPersonalAccessTokenDetector},
	{"circleciproject", "CircleCI project token", false, []string{"cciprj_"}, circleci.NewProjectTokenDetector},
	{"cloudflareapitoken", "Cloudflare API token", true, []string{"cloudflare_", "cf_"}, cloudflareapitoken.NewDetector},
	{"cratesioapitoken", "crates.io API token", false, []string{"cio"}, cratesioapitoken.NewDetector},
	{"cursorapikey", "Cursor API key", false, []string{"key_"}, cursorapikey.NewDetector},
	{"denopatuser", "Deno user access token", false, []string{"ddp_"}, denopat.NewUserTokenDetector},
	{"denopatorg", "Deno organization access token", false, []string{"ddo_"}, denopat.NewOrgTokenDetector},
	{"digitaloceanapikey", "DigitalOcean API token", true, []string{"dop_v1_"}, digitaloceanapikey.NewDetector},
	{"discordbottoken", "Discord bot token", false, []string{"discord"}, discordbottoken.NewDetector},
	{"dockerhubpat", "Docker Hub personal access token", false, []string{"dckr_pat_"}, dockerhubpat.NewDetector},
	{"elasticcloudapikey", "Elastic Cloud API key", true, []string{"essu_"}, elasticcloudapikey.NewDetector},
	{"gcpapikey", "Google Cloud API key", false, []string{"aizasy"}, gcpapikey.NewDetector},
	{"gcpexpressmode", "Google Cloud Vertex AI express mode key", false, []string{"aq.ab8r"}, gcpexpressmode.NewDetector},
	{"gcpoauth2accesstoken", "Google OAuth2 access token", false, []string{"ya29."}, gcpoauth2access.NewDetector},
	{"gcpoauth2clientcredentials", "Google OAuth2 client credentials", false, []string{".apps.googleusercontent.com", "gocspx-"}, gcpoauth2client.NewDetector},
	{"gcpsak", "Google Cloud service account key", true, []string{"auth_provider_x509_cert_url", "ewogicj0exblijoginnlcnzpy2vfywnjb3vudcis"}, func() veles.Detector { return gcpsak.NewDetector() }},
	{"gcshmackey", "Google Cloud Storage HMAC key", true, []string{"goog"}, gcshmackey.NewDetector},
	{"githubapprefreshtoken", "GitHub App refresh token", false, []string{"ghr_", "z2hyx"}, github.NewAppRefreshTokenDetector},
	{"githubapps2stoken", "GitHub App installation token", false, []string{"ghs_", "z2hzx"}, github.NewAppS2STokenDetector},
	{"githubappu2stoken", "GitHub App user-to-server token", false, []string{"ghu_", "z2h1x"}, github.NewAppU2SDetector},
	{"githubclassicpat", "GitHub classic personal access token", false, []string{"ghp_", "z2hwx"}, github.NewClassicPATDetector},
	{"githubfinegrainedpat", "GitHub fine-grained personal access token", false, []string{"github_pat_", "z2l0ahvix3bhdf"}, github.NewFineGrainedPATDetector},
	{"githuboauthtoken", "GitHub OAuth access token", false, []string{"gho_", "z2hvx"}, github.NewOAuthTokenDetector},
	{"gitlabpat", "GitLab personal access token", false, []string{"glpat-"}, gitlabpat.NewDetector},
	{"grokxaiapikey", "xAI (Grok) API key", false, []string{"xai-"}, grokxaiapikey.NewAPIKeyDetector},
	{"grokxaimanagementkey", "xAI (Grok) management key", false, []string{"xai-token-"}, grokxaiapikey.NewManagementKeyDetector},
	{"hashicorpvaulttoken", "HashiCorp Vault token", true, []string{"hvs.", "hvb."}, hashicorpvault.NewTokenDetector},
	{"hashicorpvaultapprole", "HashiCorp Vault AppRole credentials", true, []string{"roleid", "role_id", "role-id", "secretid", "secret_id", "secret-id"}, hashicorpvault.NewAppRoleDetector},
	{"hcpclientcredentials", "HashiCorp Cloud Platform client credentials", true, []string{"hcp_client_"}, hcp.NewPairDetector},
	{"hcpaccesstoken", "HashiCorp Cloud Platform access token", true, nil, hcp.NewAccessTokenDetector},
	{"herokuplatformkey", "Heroku platform API key", true, []string{"hrku-"}, herokuplatformkey.NewSecretKeyDetector},
	{"httpbasicauth", "HTTP basic authentication credentials", false, []string{"authorization"}, http.NewBasicAuthDetector},
	{"httpbearer", "HTTP bearer token", false, []string{"authorization"}, http.NewBearerDetector},
	{"huggingfaceapikey", "Hugging Face access token", false, []string{"hf_"}, huggingfaceapikey.NewDetector},
	{"jwttoken", "JSON Web Token", false, []string{"eyj"}, jwt.NewDetector},
	{"mistralapikey", "Mistral API key", false, []string{"mistral"}, mistralapikey.NewDetector},
	{"npmjsaccesstoken", "npm access token", false, []string{"npm_"}, npmjsaccesstoken.NewDetector},
	{"onepasswordsecretkey", "1Password secret key", false, []string{"a3-"}, onepasswordkeys.NewSecretKeyDetector},
	{"onepasswordservicetoken", "1Password service account token", false, []string{"ops_eyj"}, onepasswordkeys.NewServiceTokenDetector},
	{"onepasswordrecoverycode", "1Password recovery code", false, []string{"1prk"}, onepasswordkeys.NewRecoveryTokenDetector},
	{"openai", "OpenAI API key", false, []string{"t3blbkfj"}, openai.NewDetector},
	{"openrouter", "OpenRouter API key", false, []string{"sk-or-v"}, openrouter.NewDetector},
	{"packagistsecret", "Packagist API secret", false, []string{"packagist_acs_"}, packagist.NewAPISecretDetector},
	{"packagistorgreadtoken", "Packagist organization read token", false, []string{"packagist_ort_"}, packagist.NewOrgReadTokenDetector},
	{"packagistorgupdatetoken", "Packagist organization update token", false, []string{"packagist_out_"}, packagist.NewOrgUpdateTokenDetector},
	{"packagistuserupdatetoken", "Packagist user update token", false, []string{"packagist_uut_"}, packagist.NewUserUpdateTokenDetector},
	{"packagistconductorupdatetoken", "Packagist Conductor update token", false, []string{"packagist_cut_"}, packagist.NewConductorUpdateTokenDetector},
	{"paystacksecretkey", "Paystack secret key", false, []string{"sk_"}, paystacksecretkey.NewSecretKeyDetector},
	{"perplexityapikey", "Perplexity API key", false, []string{"pplx-"}, perplexityapikey.NewDetector},
	{"postmanapikey", "Postman API key", false, []string{"pmak-"}, postmanapikey.NewAPIKeyDetector},
	{"postmancollectiontoken", "Postman collection access token", false, []string{"pmat-"}, postmanapikey.NewCollectionTokenDetector},
	{"privatekey", "Private key", true, []string{"private key-----"}, privatekey.NewDetector},
	{"pypiapitoken", "PyPI API token", false, []string{"pypi-"}, pypiapitoken.NewDetector},
	{"pyxkeyv1", "pyx key (v1)", false, []string{"sk-pyx-"}, pyxkeyv1.NewDetector},
	{"pyxkeyv2", "pyx key (v2)", false, []string{"sk-pyx-2"}, pyxkeyv2.NewDetector},
	{"recaptchakey", "reCAPTCHA secret key", false, []string{"captcha"}, recaptchakey.NewDetector},
	{"rubygemsapikey", "RubyGems API key", false, []string{"rubygems_"}, rubygemsapikey.NewDetector},
	{"salesforceoauth2access", "Salesforce OAuth2 access token", false, []string{"00d"}, salesforceoauth2access.NewDetector},
	{"salesforceoauth2client", "Salesforce OAuth2 client credentials", false, []string{"3mvg"}, salesforceoauth2client.NewDetector},
	{"salesforceoauth2jwt", "Salesforce OAuth2 JWT credentials", false, []string{"3mvg"}, salesforceoauth2jwt.NewDetector},
	{"salesforceoauth2refresh", "Salesforce OAuth2 refresh token", false, []string{"3mvg"}, salesforceoauth2refresh.NewDetector},
	{"sendgrid", "SendGrid API key", false, []string{"sg."}, sendgrid.NewDetector},
	{"slackappconfigaccesstoken", "Slack app configuration access token", false, []string{"xoxe.xoxp-"}, slacktoken.NewAppConfigAccessTokenDetector},
	{"slackappconfigrefreshtoken", "Slack app configuration refresh token", false, []string{"xoxe-"}, slacktoken.NewAppConfigRefreshTokenDetector},
	{"slackappleveltoken", "Slack app-level token", false, []string{"xapp-"}, slacktoken.NewAppLevelTokenDetector},
	{"squarepersonalaccesstoken", "Square personal access token", false, []string{"eaaa"}, squareapikey.NewPersonalAccessTokenDetector},
	{"squareoauthapplicationsecret", "Square OAuth application secret", false, []string{"sq0csp-", "sq0idp-"}, squareapikey.NewOAuthApplicationSecretDetector},
	{"stripesecretkey", "Stripe secret key", false, []string{"sk_live_"}, stripeapikeys.NewSecretKeyDetector},
	{"striperestrictedkey", "Stripe restricted key", false, []string{"rk_live_"}, stripeapikeys.NewRestrictedKeyDetector},
	{"stripewebhooksecret", "Stripe webhook signing secret", false, []string{"whsec_"}, stripeapikeys.NewWebhookSecretDetector},
	{"supabasepat", "Supabase personal access token", false, []string{"sbp_"}, supabase.NewPATDetector},
	{"supabaseprojectsecretkey", "Supabase project secret key", false, []string{"sb_secret_"}, supabase.NewProjectSecretKeyDetector},
	{"supabaseservicerolejwt", "Supabase service role JWT", false, []string{"eyj"}, supabase.NewServiceRoleJWTDetector},
	{"telegrambotapitoken", "Telegram bot API token", false, []string{"telegram", "tgram"}, telegrambotapitoken.NewDetector},
	{"tinkkeyset", "Tink keyset (plaintext key material)", true, []string{"dhlwzs5nb29nbgvhcglzlmnvbs9nb29nbguuy3j5chrvlnrpbm", "r5cguuz29vz2xlyxbpcy5jb20vz29vz2xllmnyexb0by50aw5r", "0exbllmdvb2dszwfwaxmuy29tl2dvb2dszs5jcnlwdg8udglua", "primarykeyid"}, tinkkeyset.NewDetector},
	{"urlcreds", "Credentials in a URL", false, []string{"://"}, urlcreds.NewDetector},
	{"vapidkey", "VAPID private key", true, nil, vapid.NewDetector},
}

// falsePositive holds, per rule, what a match must also be to be reported,
// each for a false positive found on a real repository (cli/cli v2.14.0):
// keep reports whether the secret (data[start:end], whose value is
// secret) is one.
var falsePositive = map[string]func(data []byte, start, end int, secret string) bool{
	// Vault's legacy "s.", "b." and "r." tokens (before Vault 1.10) cannot be
	// told from a method call on a receiver named s, b or r
	// (s.StartCodespaceWithRetry): only today's hvs. and hvb. tokens.
	"hashicorpvaulttoken": func(_ []byte, _, _ int, secret string) bool {
		return strings.HasPrefix(secret, "hvs.") || strings.HasPrefix(secret, "hvb.")
	},
	// A user without a password (ssh://git@github.com/o/r) is not a credential.
	"urlcreds": func(_ []byte, _, _ int, secret string) bool {
		_, rest, ok := strings.Cut(secret, "://")
		userinfo, _, ok2 := strings.Cut(rest, "@")
		return ok && ok2 && strings.Contains(userinfo, ":")
	},
	// EAAA plus 60 characters also occurs inside base64 (an SSH public key):
	// the token must stand on its own.
	"squarepersonalaccesstoken": standalone,
	// Veles' Packagist detectors also return a lone "user NAME" or "name
	// NAME" nearby as the token (in this file: "osv-scalibr"): only tokens.
	"packagistsecret":               packagistToken,
	"packagistorgreadtoken":         packagistToken,
	"packagistorgupdatetoken":       packagistToken,
	"packagistuserupdatetoken":      packagistToken,
	"packagistconductorupdatetoken": packagistToken,
}

func packagistToken(_ []byte, _, _ int, secret string) bool {
	return strings.HasPrefix(secret, "packagist_")
}

// standalone reports whether data[start:end] is not part of a longer word
// or base64 run ("=" may follow one, not precede it: KEY=EAAA… stands alone).
func standalone(data []byte, start, end int, _ string) bool {
	in := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '_' || c == '-'
	}
	return (start == 0 || !in(data[start-1])) && (end >= len(data) || !in(data[end]) && data[end] != '=')
}
