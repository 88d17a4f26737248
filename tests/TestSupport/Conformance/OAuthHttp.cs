using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TestSupport.Conformance;

/// <summary>Raw protocol calls for the conformance tests: exact status codes and bodies, no client library in between.</summary>
public sealed class OAuthHttp(IIdentityProvider idp) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Endpoint(string path) => $"{idp.Issuer}/protocol/openid-connect/{path}";

    public Task<OAuthResult> TokenAsync(string clientId, string? scope = null, ClientAuth auth = ClientAuth.Basic) =>
        PostAsync("token", Form(("grant_type", "client_credentials"), ("scope", scope)), clientId, auth);

    public Task<OAuthResult> IntrospectAsync(string token, string? clientId) =>
        PostAsync("token/introspect", Form(("token", token)), clientId, ClientAuth.Basic);

    public Task<OAuthResult> RevokeAsync(string token, string clientId) =>
        PostAsync("revoke", Form(("token", token), ("token_type_hint", "access_token")), clientId, ClientAuth.Basic);

    public async Task<string> AccessTokenAsync(string clientId, string? scope = null)
    {
        var result = await TokenAsync(clientId, scope);
        Assert.Equal(HttpStatusCode.OK, result.Status);
        return result.Json.GetProperty("access_token").GetString()!;
    }

    /// <summary>Posts a form; <paramref name="clientId"/> null sends no client authentication at all.</summary>
    public Task<OAuthResult> PostAsync(string path, List<KeyValuePair<string, string>> form, string? clientId, ClientAuth auth, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint(path));
        if (clientId is not null)
        {
            secret ??= idp.SecretOf(clientId);
            if (auth is ClientAuth.Basic or ClientAuth.Both)
            {
                request.Headers.Authorization = Basic(clientId, secret);
            }

            if (auth is ClientAuth.Post or ClientAuth.Both)
            {
                form = [.. form, new("client_id", clientId), new("client_secret", secret)];
            }
        }

        request.Content = new FormUrlEncodedContent(form);
        return SendAsync(request);
    }

    public async Task<OAuthResult> SendAsync(HttpRequestMessage request)
    {
        using (request)
        using (var response = await _http.SendAsync(request, TestContext.Current.CancellationToken))
        {
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            JsonElement json = default;
            if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true && body.Length > 0)
            {
                json = JsonDocument.Parse(body).RootElement.Clone();
            }

            return new OAuthResult(response.StatusCode, json, body);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        var result = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));
        Assert.Equal(HttpStatusCode.OK, result.Status);
        return result.Json;
    }

    /// <summary>Validates a token the way a resource server does: signature from JWKS, issuer, audience, lifetime.</summary>
    public async Task<TokenValidationResult> ValidateAsync(string token, string? audience)
    {
        var jwks = new JsonWebKeySet((await GetJsonAsync(Endpoint("certs"))).GetRawText());
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = idp.Issuer,
            ValidAudience = audience,
            ValidateAudience = audience is not null,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = ["JWT", "at+jwt"],
            ClockSkew = TimeSpan.FromSeconds(5),
        });
    }

    public static List<KeyValuePair<string, string>> Form(params (string Name, string? Value)[] fields) =>
        [.. fields.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Name, f.Value!))];

    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

    public void Dispose() => _http.Dispose();
}

public enum ClientAuth
{
    Basic,
    Post,
    Both,
}

public sealed record OAuthResult(HttpStatusCode Status, JsonElement Json, string Body)
{
    public string? Error => Json.ValueKind is JsonValueKind.Object && Json.TryGetProperty("error", out var e) ? e.GetString() : null;

    public string? ErrorDescription =>
        Json.ValueKind is JsonValueKind.Object && Json.TryGetProperty("error_description", out var e) ? e.GetString() : null;
}
