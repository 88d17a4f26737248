using System.Net;
using TestSupport;

namespace EmbeddedIdp.Tests;

/// <summary>
/// CORS on the token endpoint as Keycloak answers it: a page may read a token response only from an origin in the
/// requesting client's webOrigins (the realm gives checkout-service Payments' origin, by default http://localhost:5200).
/// </summary>
[Collection(SharedIdp.Name)]
public sealed class WebOriginsCorsTests(EmbeddedIdpFixture idp)
{
    private const string PaymentsOrigin = "http://localhost:5200";

    [Fact]
    public async Task A_token_response_is_readable_from_an_origin_the_client_lists()
    {
        using var response = await RequestTokenAsync("checkout-service", PaymentsOrigin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PaymentsOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Theory]
    [InlineData("checkout-service", "http://evil.example")]
    [InlineData("payments-service", PaymentsOrigin)] // payments-service lists Billing's origin, not Payments'
    public async Task A_token_response_is_not_readable_from_any_other_origin(string clientId, string origin)
    {
        using var response = await RequestTokenAsync(clientId, origin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_preflight_is_answered_for_the_token_endpoint()
    {
        using var client = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, idp.TokenEndpoint)
        {
            Headers = { { "Origin", PaymentsOrigin }, { "Access-Control-Request-Method", "POST" }, { "Access-Control-Request-Headers", "authorization" } },
        };

        using var response = await client.SendAsync(preflight, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PaymentsOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Contains("Authorization", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Headers")));
    }

    private async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string origin)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, idp.TokenEndpoint)
        {
            Headers = { { "Origin", origin } },
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = clientId,
                ["client_secret"] = idp.SecretOf(clientId),
            }),
        };
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
