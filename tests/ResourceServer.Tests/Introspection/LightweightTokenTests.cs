using System.Net;
using System.Net.Http.Json;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests.Introspection;

/// <summary>
/// Keycloak's lightweight access tokens (the realm switch, on here): no <c>aud</c>, no <c>client_id</c> in the token, so
/// only introspection can tell who it is for. JWT mode must refuse them; introspection mode accepts them by the same rules.
/// </summary>
public sealed class LightweightTokenTests(LightweightTokenTests.LightweightIdp fixture) : IClassFixture<LightweightTokenTests.LightweightIdp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lightweight_token_is_rejected_in_JWT_mode_for_want_of_an_audience()
    {
        await using var host = await ResourceServerHost.StartAsync(fixture.Idp.Issuer);
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

        using var response = await SendAsync(host, Resource.Read("Bearer " + token));

        await IntrospectionModeTests.AssertInvalidToken(response, "The audience is invalid");
    }

    [Fact]
    public async Task Lightweight_token_is_accepted_in_introspection_mode_with_its_client_and_scopes()
    {
        await using var host = await ResourceServerHost.StartAsync(fixture.Idp.Issuer, IntrospectionSettings.For(fixture.Idp));
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

        using var read = await SendAsync(host, Resource.Read("Bearer " + token));
        using var write = await SendAsync(host, Resource.Write("Bearer " + token));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("payments-service", await read.Content.ReadFromJsonAsync<string>(Ct));
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public async Task Lightweight_token_for_another_API_is_rejected_in_introspection_mode()
    {
        await using var host = await ResourceServerHost.StartAsync(fixture.Idp.Issuer, IntrospectionSettings.For(fixture.Idp));
        var token = await fixture.Idp.GetAccessTokenAsync("checkout-service", ct: Ct);

        using var response = await SendAsync(host, Resource.Read("Bearer " + token));

        await IntrospectionModeTests.AssertInvalidToken(response, "The token is not active");
    }

    private static async Task<HttpResponseMessage> SendAsync(ResourceServerHost host, HttpRequestMessage request)
    {
        using (request)
        {
            using var client = host.CreateClient();
            return await client.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
    }

    public sealed class LightweightIdp : IAsyncLifetime
    {
        public EmbeddedIdpFixture Idp { get; } = new() { Settings = new Dictionary<string, string?> { ["LIGHTWEIGHT_ACCESS_TOKENS"] = "true" } };

        public ValueTask InitializeAsync() => Idp.InitializeAsync();

        public ValueTask DisposeAsync() => Idp.DisposeAsync();
    }
}
