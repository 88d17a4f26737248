using System.Net;
using System.Text;

namespace TestSupport.Conformance;

/// <summary>
/// Every error of the token endpoint with Keycloak 26's exact status, error and description (TokenEndpoint,
/// AuthenticationProcessor.handleClientAuthException, ClientIdAndSecretAuthenticator, ClientCredentialsGrantType),
/// including the order of its checks: grant type, client authentication, duplicated parameters, then the grant's rules.
/// </summary>
public abstract class TokenErrorConformance(IIdentityProvider idp) : IDisposable
{
    private readonly OAuthHttp _http = new(idp);

    private const string BadClient = "Invalid client or Invalid client credentials";

    [Theory]
    [InlineData(ClientAuth.Basic)]
    [InlineData(ClientAuth.Post)]
    public async Task Wrong_secret_is_401_unauthorized_client(ClientAuth auth)
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "client_credentials")), "payments-service", auth, secret: "wrong");

        AssertError(result, HttpStatusCode.Unauthorized, "unauthorized_client", BadClient);
    }

    [Fact]
    public async Task Missing_secret_of_a_known_client_is_401_unauthorized_client()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "client_credentials"), ("client_id", "payments-service")), clientId: null, ClientAuth.Basic);

        AssertError(result, HttpStatusCode.Unauthorized, "unauthorized_client", BadClient);
    }

    [Fact]
    public async Task Unknown_client_is_401_invalid_client()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "client_credentials")), "no-such-client", ClientAuth.Basic, secret: "whatever");

        AssertError(result, HttpStatusCode.Unauthorized, "invalid_client", BadClient);
    }

    [Fact]
    public async Task Missing_client_authentication_is_401_invalid_client()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "client_credentials")), clientId: null, ClientAuth.Basic);

        AssertError(result, HttpStatusCode.Unauthorized, "invalid_client", BadClient);
    }

    [Fact]
    public async Task Unknown_grant_type_is_reported_before_a_wrong_secret()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "urn:example:no-such-grant")), "payments-service", ClientAuth.Basic, secret: "wrong");

        AssertError(result, HttpStatusCode.BadRequest, "unsupported_grant_type", "Unsupported grant_type");
    }

    [Theory]
    [InlineData("password")]
    [InlineData("authorization_code")]
    [InlineData("refresh_token")]
    public async Task Wrong_secret_is_reported_before_the_grants_own_rules(string grantType)
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", grantType), ("username", "u"), ("password", "p"), ("code", "c"), ("refresh_token", "r")),
            "payments-service", ClientAuth.Basic, secret: "wrong");

        AssertError(result, HttpStatusCode.Unauthorized, "unauthorized_client", BadClient);
    }

    [Fact]
    public async Task Wrong_secret_is_reported_before_a_duplicated_parameter()
    {
        var form = OAuthHttp.Form(("grant_type", "client_credentials"), ("scope", "billing:read"), ("scope", "billing:write"));

        var result = await _http.PostAsync("token", form, "payments-service", ClientAuth.Basic, secret: "wrong");

        AssertError(result, HttpStatusCode.Unauthorized, "unauthorized_client", BadClient);
    }

    [Fact]
    public async Task Duplicated_parameter_is_reported_before_a_scope_the_client_does_not_have()
    {
        var form = OAuthHttp.Form(("grant_type", "client_credentials"), ("scope", "payments:read"), ("scope", "payments:write"));

        var result = await _http.PostAsync("token", form, "payments-service", ClientAuth.Basic);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "duplicated parameter");
    }

    [Fact]
    public async Task Secret_basic_and_secret_post_at_once_gets_the_idps_documented_answer()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "client_credentials")), "payments-service", ClientAuth.Both);

        if (idp.Dialect.BothSecretMethodsStatus == 400)
        {
            AssertError(result, HttpStatusCode.BadRequest, "invalid_request");
        }
        else
        {
            Assert.Equal((HttpStatusCode)idp.Dialect.BothSecretMethodsStatus, result.Status);
            Assert.True(result.Json.TryGetProperty("access_token", out _), result.Body);
        }
    }

    [Theory]
    [InlineData("payments-service", "payments:read")]
    [InlineData("payments-service", "billing:read payments:write")]
    [InlineData("checkout-service", "billing:write")]
    [InlineData("payments-service", "no-such-scope")]
    public async Task Scope_the_client_does_not_have_is_rejected_with_invalid_scope(string clientId, string scope)
    {
        var result = await _http.TokenAsync(clientId, scope);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_scope");
        Assert.StartsWith("Invalid scopes", result.ErrorDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("billing-api")]
    public async Task Client_without_service_account_is_401_unauthorized_client(string clientId)
    {
        var result = await _http.TokenAsync(clientId);

        AssertError(result, HttpStatusCode.Unauthorized, "unauthorized_client", "Client not enabled to retrieve service account");
    }

    [Fact]
    public async Task Unknown_grant_type_is_rejected_with_unsupported_grant_type()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "urn:example:no-such-grant")), "payments-service", ClientAuth.Basic);

        AssertError(result, HttpStatusCode.BadRequest, "unsupported_grant_type", "Unsupported grant_type");
    }

    [Theory]
    [InlineData("refresh_token", "refresh_token", "not-a-refresh-token")]
    [InlineData("authorization_code", "code", "not-a-code")]
    public async Task Grant_without_a_valid_code_or_refresh_token_is_rejected_with_invalid_grant(string grantType, string parameter, string value)
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", grantType), (parameter, value), ("redirect_uri", "http://localhost/cb")),
            "payments-service", ClientAuth.Basic);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Password_grant_is_rejected_with_unauthorized_client()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "password"), ("username", "u"), ("password", "p")),
            "payments-service", ClientAuth.Basic);

        AssertError(result, HttpStatusCode.BadRequest, "unauthorized_client", "Client not allowed for direct access grants");
    }

    [Fact]
    public async Task Missing_grant_type_is_rejected_with_invalid_request()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("scope", "billing:read")), "payments-service", ClientAuth.Basic, secret: "wrong");

        // Before client authentication: the wrong secret is never looked at.
        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "Missing form parameter: grant_type");
    }

    [Theory]
    [InlineData("grant_type")]
    [InlineData("scope")]
    public async Task Repeated_parameter_is_rejected_with_invalid_request(string repeated)
    {
        var form = OAuthHttp.Form(("grant_type", "client_credentials"), ("scope", "billing:read"));
        form.Add(new(repeated, repeated == "scope" ? "billing:write" : "client_credentials"));

        var result = await _http.PostAsync("token", form, "payments-service", ClientAuth.Basic);

        AssertError(result, HttpStatusCode.BadRequest, "invalid_request", "duplicated parameter");
    }

    [Fact]
    public async Task Get_on_the_token_endpoint_is_405()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, idp.TokenEndpoint + "?grant_type=client_credentials");
        request.Headers.Authorization = OAuthHttp.Basic("payments-service", idp.SecretOf("payments-service"));

        var result = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, result.Status);
    }

    [Fact]
    public async Task Json_body_on_the_token_endpoint_is_415()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, idp.TokenEndpoint)
        {
            Content = new StringContent("""{"grant_type":"client_credentials"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = OAuthHttp.Basic("payments-service", idp.SecretOf("payments-service"));

        var result = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, result.Status);
    }

    private static void AssertError(OAuthResult result, HttpStatusCode status, string error, string? description = null)
    {
        Assert.Equal(status, result.Status);
        Assert.Equal(error, result.Error);
        Assert.False(string.IsNullOrEmpty(result.ErrorDescription), "error_description is missing");
        if (description is not null)
        {
            Assert.Equal(description, result.ErrorDescription);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
