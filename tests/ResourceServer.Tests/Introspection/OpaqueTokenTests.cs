using System.Net;
using System.Net.Http.Json;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests.Introspection;

/// <summary>Opaque access tokens (EmbeddedIdp's reference tokens): nothing to validate locally, everything by introspection.</summary>
public sealed class OpaqueTokenTests(OpaqueTokenTests.OpaqueIdp fixture) : IClassFixture<OpaqueTokenTests.OpaqueIdp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Opaque_token_is_rejected_in_JWT_mode()
    {
        await using var host = await ResourceServerHost.StartAsync(fixture.Idp.Issuer);
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

        using var client = host.CreateClient();
        using var response = await client.SendAsync(Resource.Read("Bearer " + token), Ct);

        await IntrospectionModeTests.AssertInvalidToken(response, "The token is malformed");
    }

    [Fact]
    public async Task Opaque_token_is_accepted_in_introspection_mode_with_its_client()
    {
        await using var host = await ResourceServerHost.StartAsync(fixture.Idp.Issuer, IntrospectionSettings.For(fixture.Idp));
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

        using var client = host.CreateClient();
        using var read = await client.SendAsync(Resource.Read("Bearer " + token), Ct);
        using var write = await client.SendAsync(Resource.Write("Bearer " + token), Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("payments-service", await read.Content.ReadFromJsonAsync<string>(Ct));
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    public sealed class OpaqueIdp : IAsyncLifetime
    {
        public EmbeddedIdpFixture Idp { get; } = new() { Settings = new Dictionary<string, string?> { ["EmbeddedIdp:OpaqueAccessTokens"] = "true" } };

        public ValueTask InitializeAsync() => Idp.InitializeAsync();

        public ValueTask DisposeAsync() => Idp.DisposeAsync();
    }
}
