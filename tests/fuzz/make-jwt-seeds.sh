#!/usr/bin/env bash
# Regenerates the JWT seeds in corpus/fuzz_jwt: real tokens signed by the openssl CLI with the
# test-only keys in keys/ (the ones fuzz_jwt.cpp trusts) and the harness's HS256 secret.
# The corpus is committed; run this only when the keys or the claims below change.
set -euo pipefail
cd "$(dirname "$0")"
out=corpus/fuzz_jwt
mkdir -p "$out"
HMAC_SECRET='fuzz-hmac-secret-0123456789abcdef'   # = kHmacSecret in fuzz_jwt.cpp

b64url() { basenc --base64url -w0 | tr -d '='; }
# ECDSA signatures come as DER SEQUENCE{r,s}; JWS ES256 wants r||s, 32 bytes each.
der_to_raw() {
  openssl asn1parse -inform DER 2>/dev/null | awk -F: '/INTEGER/ {print $NF}' |
    while read -r hex; do printf '%064s' "$hex" | tr ' ' 0; done | xxd -r -p
}
token() { # alg kid-or-empty claims-json
  local alg=$1 kid=$2 claims=$3 header input
  if [ -n "$kid" ]; then header="{\"alg\":\"$alg\",\"typ\":\"JWT\",\"kid\":\"$kid\"}"; else header="{\"alg\":\"$alg\",\"typ\":\"JWT\"}"; fi
  input="$(printf '%s' "$header" | b64url).$(printf '%s' "$claims" | b64url)"
  case $alg in
    RS256) sig=$(printf '%s' "$input" | openssl dgst -sha256 -sign keys/rsa.pem | b64url) ;;
    ES256) sig=$(printf '%s' "$input" | openssl dgst -sha256 -sign keys/ec.pem | der_to_raw | b64url) ;;
    HS256) sig=$(printf '%s' "$input" | openssl dgst -sha256 -mac HMAC -macopt "key:$HMAC_SECRET" -binary | b64url) ;;
    none)  sig="" ;;
  esac
  printf 'T%s.%s' "$input" "$sig"
}
# The harness validates at now = 1700000000 (2023-11-14) with issuer/audience below.
ok='{"iss":"https://issuer.test","aud":"https://koan.test/mcp","sub":"alice","scope":"entities:read tools:call","iat":1699999000,"exp":4102444800}'
token RS256 rsa-1 "$ok" > "$out/rs256-valid"
token ES256 ec-1 "$ok" > "$out/es256-valid"
token HS256 "" "$ok" > "$out/hs256-valid"
token ES256 ec-1 '{"iss":"https://issuer.test","aud":["https://koan.test/mcp/"],"sub":"bob","exp":1699999900}' > "$out/es256-expired"
token ES256 ec-1 '{"iss":"https://issuer.test","aud":"https://koan.test/mcp","sub":"bob","nbf":1700000500,"exp":4102444800}' > "$out/es256-not-yet-valid"
token RS256 rsa-1 '{"iss":"https://evil.test","aud":"https://koan.test/mcp","sub":"eve","exp":4102444800}' > "$out/rs256-wrong-issuer"
token RS256 ec-1 "$ok" > "$out/rs256-with-ec-kid"
token none "" "$ok" > "$out/alg-none"
token HS256 "" '{"sub":"carol","exp":"4102444800"}' > "$out/hs256-string-exp"
printf 'Tnot.a-token' > "$out/two-parts"
# 'C': claims the harness signs itself (second byte picks the algorithm); 'K': a JWKS document.
printf 'CH%s' "$ok" > "$out/claims-hs256"
printf 'CE{"sub":"dave","exp":1700000061,"nbf":1700000060,"aud":["a","https://koan.test/mcp"],"iss":"https://issuer.test"}' > "$out/claims-es256-edge"
printf 'CR{"sub":"","exp":4102444800}' > "$out/claims-rs256-empty-sub"
printf 'K{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},{"kty":"EC","crv":"P-384","kid":"k2","x":"AA","y":"AA"},{"kty":"RSA","kid":"k3","n":"AQAB","e":"AQAB"},{"kty":"oct","kid":"k4","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","kid":"k5"}]}' > "$out/jwks-mixed"
# 'P': header, claims and raw signature bytes, assembled by the harness (forgery attempts).
printf 'P{"alg":"HS256","typ":"JWT"}\n%s\n' "$ok" > "$out/parts-hs256-stripped-signature"
printf 'P{"alg":"HS256","kid":"rsa-1"}\n%s\n0123456789abcdef0123456789abcdef' "$ok" > "$out/parts-hs256-with-rsa-kid"
printf 'P{"alg":"ES256","kid":"ec-1","crit":["exp"]}\n%s\n%064d' "$ok" 0 > "$out/parts-es256-crit-zero-signature"
printf 'P{"alg":"none"}\n%s\n' "$ok" > "$out/parts-alg-none"
echo "wrote $(ls "$out" | wc -l) seeds to $out"
