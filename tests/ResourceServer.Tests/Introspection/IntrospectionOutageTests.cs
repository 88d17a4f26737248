using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests.Introspection;

/// <summary>When the IdP cannot answer, a token can be neither accepted nor rejected: 503 with Retry-After, never 200 or 500.</summary>
public sealed class IntrospectionOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IdP_down_from_the_start_gives_503_with_Retry_After_and_an_unready_health()
    {
        await using var idp = new EmbeddedIdpFixture();
        await idp.InitializeAsync();
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var settings = IntrospectionSettings.For(idp);
        var issuer = idp.Issuer;
        await idp.DisposeAsync();

        await using var host = await ResourceServerHost.StartAsync(issuer, settings);
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Resource.Read("Bearer " + token), Ct);
        using var health = await client.GetAsync("/health", Ct);

        await AssertServiceUnavailable(response);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }

    [Fact]
    public async Task IdP_going_down_gives_503_for_new_tokens_while_cached_answers_still_hold()
    {
        await using var idp = new EmbeddedIdpFixture();
        await idp.InitializeAsync();
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, IntrospectionSettings.For(idp));
        using var client = host.CreateClient();
        var known = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var fresh = await idp.GetAccessTokenAsync("payments-service", "billing:write", Ct);
        using (var warm = await client.SendAsync(Resource.Read("Bearer " + known), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await idp.DisposeAsync();
        using var cached = await client.SendAsync(Resource.Read("Bearer " + known), Ct);
        using var unknown = await client.SendAsync(Resource.Read("Bearer " + fresh), Ct);

        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        await AssertServiceUnavailable(unknown);
    }

    [Fact]
    public async Task IdP_refusing_the_APIs_credentials_gives_503_not_401()
    {
        await using var idp = new EmbeddedIdpFixture();
        await idp.InitializeAsync();
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, IntrospectionSettings.For(idp, secret: "not-the-secret"));
        using var client = host.CreateClient();
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);

        using var response = await client.SendAsync(Resource.Read("Bearer " + token), Ct);

        await AssertServiceUnavailable(response);
    }

    [Fact]
    public async Task Request_that_needs_no_authorization_is_not_turned_into_a_503()
    {
        await using var host = await ResourceServerHost.StartAsync("http://127.0.0.1:1/realms/m2m",
            new Dictionary<string, string?> { ["ResourceServer:TokenValidation"] = "Introspection", ["ResourceServer:Introspection:ClientSecret"] = "s" });
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-endpoint");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer some.token.value");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task AssertServiceUnavailable(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
    }
}
