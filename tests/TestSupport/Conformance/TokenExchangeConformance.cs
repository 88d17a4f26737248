using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TestSupport.Conformance;

/// <summary>
/// Keycloak 26's standard token exchange (RFC 8693) as Payments uses it: payments-api trades the access token its caller
/// (checkout-service) sent for a billing-api token narrowed to one scope. Answers as in Keycloak's StandardTokenExchangeProvider.
/// </summary>
public abstract class TokenExchangeConformance(IIdentityProvider idp) : IDisposable
{
    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>The claims of an exchanged token: the subject's identity, the requester as azp, no client_id and no sid (transient session).</summary>
    private static readonly string[] ExchangedClaims = ["aud", "azp", "exp", "iat", "iss", "jti", "preferred_username", "scope", "sub", "typ"];

    private readonly OAuthHttp _http = new(idp);

    [Fact]
    public async Task Caller_token_is_exchanged_for_a_billing_token_that_keeps_the_caller_as_subject()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync("payments-api", subject, scope: "billing:write", audience: "billing-api");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var json = result.Json;
        Assert.Equal(AccessTokenType, json.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("billing:write", json.GetProperty("scope").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _), "an exchange of a client-credentials token returns no refresh token");

        var token = json.GetProperty("access_token").GetString()!;
        var validation = await _http.ValidateAsync(token, "billing-api");
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var caller = new JsonWebToken(subject);
        var exchanged = new JsonWebToken(token);
        Assert.Equal(ExchangedClaims, exchanged.Claims.Select(c => c.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(caller.Subject, exchanged.Subject);
        Assert.Equal("payments-api", exchanged.GetPayloadValue<string>("azp"));
        Assert.Equal(["billing-api"], exchanged.Audiences);
        Assert.Equal("billing:write", exchanged.GetPayloadValue<string>("scope"));
        Assert.Equal("Bearer", exchanged.GetPayloadValue<string>("typ"));
        Assert.Equal("service-account-checkout-service", exchanged.GetPayloadValue<string>("preferred_username"));
        Assert.Equal(idp.Issuer, exchanged.Issuer);
        Assert.Matches(IdpDialect.TokenExchangeJwtIdPattern, exchanged.Id);

        // The requester's lifespan from now: the subject's expiry does not cap it.
        var lifetime = exchanged.GetPayloadValue<long>("exp") - exchanged.GetPayloadValue<long>("iat");
        Assert.InRange(lifetime, 300, 300 + idp.Dialect.LifetimeClockSlack);
    }

    [Fact]
    public async Task Without_audience_the_token_has_every_audience_of_the_granted_scopes()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:read");

        var result = await ExchangeAsync("payments-api", subject, scope: "billing:read billing:write");

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var exchanged = new JsonWebToken(result.Json.GetProperty("access_token").GetString());
        Assert.Equal(["billing-api"], exchanged.Audiences);
        Assert.Equal(["billing:read", "billing:write"], exchanged.GetPayloadValue<string>("scope").Split(' ').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Subject_token_not_addressed_to_the_requester_is_forbidden()
    {
        // payments-service's token is for billing-api, not for payments-api.
        var subject = await _http.AccessTokenAsync("payments-service", "billing:read");

        var result = await ExchangeAsync("payments-api", subject, scope: "billing:read");

        AssertError(result, HttpStatusCode.Forbidden, "access_denied", "Client is not within the token audience");
    }

    [Theory]
    [InlineData("payments:write")]
    [InlineData("billing:write payments:read")]
    [InlineData("no-such-scope")]
    public async Task Scope_the_requester_may_not_have_is_rejected_with_invalid_scope(string scope)
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync("payments-api", subject, scope: scope);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_scope", $"Invalid scopes: {scope}");
    }

    [Fact]
    public async Task Audience_the_granted_scopes_do_not_give_is_refused()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        // No scope requested: payments-api's default scopes give no audience at all.
        var result = await ExchangeAsync("payments-api", subject, audience: "billing-api");

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "Requested audience not available: billing-api");
    }

    [Fact]
    public async Task Unknown_audience_is_rejected_with_invalid_client()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync("payments-api", subject, scope: "billing:write", audience: "no-such-client");

        AssertError(result, HttpStatusCode.BadRequest, "invalid_client", "Audience not found");
    }

    [Fact]
    public async Task Revoked_subject_token_is_an_invalid_token()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");
        var revoke = await _http.RevokeAsync(subject, "checkout-service");
        Assert.Equal(HttpStatusCode.OK, revoke.Status);

        var result = await ExchangeAsync("payments-api", subject, scope: "billing:write");

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "Invalid token");
    }

    [Fact]
    public async Task Tampered_subject_token_is_an_invalid_token()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:read");
        // Claims changed after signing: the signature no longer matches.
        var tampered = TestTokens.WithPayload(subject, claims =>
        {
            claims["scope"] = System.Text.Json.JsonSerializer.SerializeToElement("payments:read payments:write");
            return claims;
        });

        var result = await ExchangeAsync("payments-api", tampered, scope: "billing:write");

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "Invalid token");
    }

    [Fact]
    public async Task Requester_without_standard_token_exchange_is_refused()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync("payments-service", subject, scope: "billing:write");

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "Standard token exchange is not enabled for the requested client");
    }

    [Fact]
    public async Task Requester_with_a_wrong_secret_is_rejected_before_anything_else()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", GrantType)), "payments-api", ClientAuth.Basic, secret: "wrong");

        Assert.Equal(HttpStatusCode.Unauthorized, result.Status);
        Assert.Equal("unauthorized_client", result.Error);
    }

    [Theory]
    [InlineData(null, AccessTokenType, "Parameter 'subject_token' required for standard token exchange")]
    [InlineData("token", null, "Parameter 'subject_token_type' required for standard token exchange")]
    [InlineData("token", "urn:ietf:params:oauth:token-type:refresh_token", "Parameter 'subject_token' supports access tokens only")]
    [InlineData("token", "urn:ietf:params:oauth:token-type:jwt", "Parameter 'subject_token' supports access tokens only")]
    public async Task Missing_or_unsupported_subject_is_rejected_with_invalid_request(string? subject, string? subjectTokenType, string description)
    {
        var token = subject is null ? null : await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await _http.PostAsync(
            "token",
            OAuthHttp.Form(("grant_type", GrantType), ("subject_token", token), ("subject_token_type", subjectTokenType), ("scope", "billing:write")),
            "payments-api",
            ClientAuth.Basic);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", description);
    }

    [Theory]
    [InlineData("urn:ietf:params:oauth:token-type:refresh_token")]
    [InlineData("urn:ietf:params:oauth:token-type:jwt")]
    [InlineData("urn:ietf:params:oauth:token-type:saml2")]
    [InlineData("WRONG_TOKEN_TYPE")]
    public async Task Requested_token_type_other_than_an_access_token_is_unsupported(string requestedTokenType)
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync("payments-api", subject, scope: "billing:write", requestedTokenType: requestedTokenType);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "requested_token_type unsupported");
    }

    [Fact]
    public async Task Requested_id_token_gets_the_idps_documented_answer()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var result = await ExchangeAsync("payments-api", subject, requestedTokenType: "urn:ietf:params:oauth:token-type:id_token");

        Assert.Equal((HttpStatusCode)idp.Dialect.ExchangeForIdTokenStatus, result.Status);
        if (result.Status == HttpStatusCode.BadRequest)
        {
            Assert.Equal("requested_token_type unsupported", result.ErrorDescription);
        }
    }

    [Fact]
    public async Task Actor_token_is_ignored_and_no_delegation_is_claimed()
    {
        // Keycloak 26's delegation ("token-exchange-delegation") is a disabled preview: standard exchange ignores actor_token.
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");
        var actor = await _http.AccessTokenAsync("payments-api");

        var result = await _http.PostAsync(
            "token",
            OAuthHttp.Form(
                ("grant_type", GrantType), ("subject_token", subject), ("subject_token_type", AccessTokenType),
                ("actor_token", actor), ("actor_token_type", AccessTokenType), ("scope", "billing:write")),
            "payments-api",
            ClientAuth.Basic);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        var exchanged = new JsonWebToken(result.Json.GetProperty("access_token").GetString());
        Assert.False(exchanged.TryGetPayloadValue<object>("act", out _), "no act claim: the token does not claim delegation");
        Assert.Equal(new JsonWebToken(subject).Subject, exchanged.Subject);
    }

    [Fact]
    public async Task Each_exchange_issues_a_new_token()
    {
        var subject = await _http.AccessTokenAsync("checkout-service", "payments:write");

        var first = await ExchangeAsync("payments-api", subject, scope: "billing:write");
        var second = await ExchangeAsync("payments-api", subject, scope: "billing:write");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.NotEqual(new JsonWebToken(first.Json.GetProperty("access_token").GetString()).Id, new JsonWebToken(second.Json.GetProperty("access_token").GetString()).Id);
    }

    protected Task<OAuthResult> ExchangeAsync(
        string requester, string subjectToken, string? scope = null, string? audience = null, string? requestedTokenType = null) =>
        _http.PostAsync(
            "token",
            OAuthHttp.Form(
                ("grant_type", GrantType), ("subject_token", subjectToken), ("subject_token_type", AccessTokenType),
                ("scope", scope), ("audience", audience), ("requested_token_type", requestedTokenType)),
            requester,
            ClientAuth.Basic);

    protected static void AssertError(OAuthResult result, HttpStatusCode status, string error, string description)
    {
        Assert.Equal(status, result.Status);
        Assert.Equal(error, result.Error);
        Assert.Equal(description, result.ErrorDescription);
    }

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
