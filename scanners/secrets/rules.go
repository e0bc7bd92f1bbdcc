package secrets

import (
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
	new       func() veles.Detector
}

// catalogue is every detector the scanner runs: osv-scalibr's default
// secret detectors (extractor/filesystem/list SecretDetectors) and the
// Veles detectors osv-scalibr runs only on named files (AWS, Bitwarden,
// Cloudflare). Left out: HTTP cookies and CSRF tokens (captured traffic,
// not committed credentials) and the sensitive-information detectors
// (IBAN, SSN), which are not credentials.
var catalogue = []detector{
	{"anthropicapikey", "Anthropic API key", false, anthropicapikey.NewDetector},
	{"awsaccesskey", "AWS access key and secret", true, awsaccesskey.NewDetector},
	{"azurestorageaccountaccesskey", "Azure storage account access key", true, azurestorageaccountaccesskey.NewDetector},
	{"azuretoken", "Azure access token", true, azuretoken.NewDetector},
	{"bitwardenoauth2access", "Bitwarden OAuth2 client credentials", false, bitwardenoauth2access.NewDetector},
	{"circlecipat", "CircleCI personal access token", false, circleci.NewPersonalAccessTokenDetector},
	{"circleciproject", "CircleCI project token", false, circleci.NewProjectTokenDetector},
	{"cloudflareapitoken", "Cloudflare API token", true, cloudflareapitoken.NewDetector},
	{"cratesioapitoken", "crates.io API token", false, cratesioapitoken.NewDetector},
	{"cursorapikey", "Cursor API key", false, cursorapikey.NewDetector},
	{"denopatuser", "Deno user access token", false, denopat.NewUserTokenDetector},
	{"denopatorg", "Deno organization access token", false, denopat.NewOrgTokenDetector},
	{"digitaloceanapikey", "DigitalOcean API token", true, digitaloceanapikey.NewDetector},
	{"discordbottoken", "Discord bot token", false, discordbottoken.NewDetector},
	{"dockerhubpat", "Docker Hub personal access token", false, dockerhubpat.NewDetector},
	{"elasticcloudapikey", "Elastic Cloud API key", true, elasticcloudapikey.NewDetector},
	{"gcpapikey", "Google Cloud API key", false, gcpapikey.NewDetector},
	{"gcpexpressmode", "Google Cloud Vertex AI express mode key", false, gcpexpressmode.NewDetector},
	{"gcpoauth2accesstoken", "Google OAuth2 access token", false, gcpoauth2access.NewDetector},
	{"gcpoauth2clientcredentials", "Google OAuth2 client credentials", false, gcpoauth2client.NewDetector},
	{"gcpsak", "Google Cloud service account key", true, func() veles.Detector { return gcpsak.NewDetector() }},
	{"gcshmackey", "Google Cloud Storage HMAC key", true, gcshmackey.NewDetector},
	{"githubapprefreshtoken", "GitHub App refresh token", false, github.NewAppRefreshTokenDetector},
	{"githubapps2stoken", "GitHub App installation token", false, github.NewAppS2STokenDetector},
	{"githubappu2stoken", "GitHub App user-to-server token", false, github.NewAppU2SDetector},
	{"githubclassicpat", "GitHub classic personal access token", false, github.NewClassicPATDetector},
	{"githubfinegrainedpat", "GitHub fine-grained personal access token", false, github.NewFineGrainedPATDetector},
	{"githuboauthtoken", "GitHub OAuth access token", false, github.NewOAuthTokenDetector},
	{"gitlabpat", "GitLab personal access token", false, gitlabpat.NewDetector},
	{"grokxaiapikey", "xAI (Grok) API key", false, grokxaiapikey.NewAPIKeyDetector},
	{"grokxaimanagementkey", "xAI (Grok) management key", false, grokxaiapikey.NewManagementKeyDetector},
	{"hashicorpvaulttoken", "HashiCorp Vault token", true, hashicorpvault.NewTokenDetector},
	{"hashicorpvaultapprole", "HashiCorp Vault AppRole credentials", true, hashicorpvault.NewAppRoleDetector},
	{"hcpclientcredentials", "HashiCorp Cloud Platform client credentials", true, hcp.NewPairDetector},
	{"hcpaccesstoken", "HashiCorp Cloud Platform access token", true, hcp.NewAccessTokenDetector},
	{"herokuplatformkey", "Heroku platform API key", true, herokuplatformkey.NewSecretKeyDetector},
	{"httpbasicauth", "HTTP basic authentication credentials", false, http.NewBasicAuthDetector},
	{"httpbearer", "HTTP bearer token", false, http.NewBearerDetector},
	{"huggingfaceapikey", "Hugging Face access token", false, huggingfaceapikey.NewDetector},
	{"jwttoken", "JSON Web Token", false, jwt.NewDetector},
	{"mistralapikey", "Mistral API key", false, mistralapikey.NewDetector},
	{"npmjsaccesstoken", "npm access token", false, npmjsaccesstoken.NewDetector},
	{"onepasswordsecretkey", "1Password secret key", false, onepasswordkeys.NewSecretKeyDetector},
	{"onepasswordservicetoken", "1Password service account token", false, onepasswordkeys.NewServiceTokenDetector},
	{"onepasswordrecoverycode", "1Password recovery code", false, onepasswordkeys.NewRecoveryTokenDetector},
	{"openai", "OpenAI API key", false, openai.NewDetector},
	{"openrouter", "OpenRouter API key", false, openrouter.NewDetector},
	{"packagistsecret", "Packagist API secret", false, packagist.NewAPISecretDetector},
	{"packagistorgreadtoken", "Packagist organization read token", false, packagist.NewOrgReadTokenDetector},
	{"packagistorgupdatetoken", "Packagist organization update token", false, packagist.NewOrgUpdateTokenDetector},
	{"packagistuserupdatetoken", "Packagist user update token", false, packagist.NewUserUpdateTokenDetector},
	{"packagistconductorupdatetoken", "Packagist Conductor update token", false, packagist.NewConductorUpdateTokenDetector},
	{"paystacksecretkey", "Paystack secret key", false, paystacksecretkey.NewSecretKeyDetector},
	{"perplexityapikey", "Perplexity API key", false, perplexityapikey.NewDetector},
	{"postmanapikey", "Postman API key", false, postmanapikey.NewAPIKeyDetector},
	{"postmancollectiontoken", "Postman collection access token", false, postmanapikey.NewCollectionTokenDetector},
	{"privatekey", "Private key", true, privatekey.NewDetector},
	{"pypiapitoken", "PyPI API token", false, pypiapitoken.NewDetector},
	{"pyxkeyv1", "pyx key (v1)", false, pyxkeyv1.NewDetector},
	{"pyxkeyv2", "pyx key (v2)", false, pyxkeyv2.NewDetector},
	{"recaptchakey", "reCAPTCHA secret key", false, recaptchakey.NewDetector},
	{"rubygemsapikey", "RubyGems API key", false, rubygemsapikey.NewDetector},
	{"salesforceoauth2access", "Salesforce OAuth2 access token", false, salesforceoauth2access.NewDetector},
	{"salesforceoauth2client", "Salesforce OAuth2 client credentials", false, salesforceoauth2client.NewDetector},
	{"salesforceoauth2jwt", "Salesforce OAuth2 JWT credentials", false, salesforceoauth2jwt.NewDetector},
	{"salesforceoauth2refresh", "Salesforce OAuth2 refresh token", false, salesforceoauth2refresh.NewDetector},
	{"sendgrid", "SendGrid API key", false, sendgrid.NewDetector},
	{"slackappconfigaccesstoken", "Slack app configuration access token", false, slacktoken.NewAppConfigAccessTokenDetector},
	{"slackappconfigrefreshtoken", "Slack app configuration refresh token", false, slacktoken.NewAppConfigRefreshTokenDetector},
	{"slackappleveltoken", "Slack app-level token", false, slacktoken.NewAppLevelTokenDetector},
	{"squarepersonalaccesstoken", "Square personal access token", false, squareapikey.NewPersonalAccessTokenDetector},
	{"squareoauthapplicationsecret", "Square OAuth application secret", false, squareapikey.NewOAuthApplicationSecretDetector},
	{"stripesecretkey", "Stripe secret key", false, stripeapikeys.NewSecretKeyDetector},
	{"striperestrictedkey", "Stripe restricted key", false, stripeapikeys.NewRestrictedKeyDetector},
	{"stripewebhooksecret", "Stripe webhook signing secret", false, stripeapikeys.NewWebhookSecretDetector},
	{"supabasepat", "Supabase personal access token", false, supabase.NewPATDetector},
	{"supabaseprojectsecretkey", "Supabase project secret key", false, supabase.NewProjectSecretKeyDetector},
	{"supabaseservicerolejwt", "Supabase service role JWT", false, supabase.NewServiceRoleJWTDetector},
	{"telegrambotapitoken", "Telegram bot API token", false, telegrambotapitoken.NewDetector},
	{"tinkkeyset", "Tink keyset (plaintext key material)", true, tinkkeyset.NewDetector},
	{"urlcreds", "Credentials in a URL", false, urlcreds.NewDetector},
	{"vapidkey", "VAPID private key", true, vapid.NewDetector},
}
