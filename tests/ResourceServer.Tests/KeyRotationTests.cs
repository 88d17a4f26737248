using System.Net;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests;

/// <summary>Its own IdP, because rotating the signing key changes what every later token is signed with.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly EmbeddedIdpFixture _idp = new();
    private ResourceServerHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _idp.InitializeAsync();
        _host = await ResourceServerHost.StartAsync(_idp.Issuer);
    }

    [Fact]
    public async Task Token_signed_with_a_rotated_in_key_is_accepted_after_one_JWKS_refresh()
    {
        using var client = _host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await ListWith(client, await _idp.GetAccessTokenAsync("payments-service", ct: Ct)));
        var fetchesBefore = _host.Jwks.Count;

        await _idp.RotateSigningKeyAsync(Ct);
        var newKeyToken = await _idp.GetAccessTokenAsync("payments-service", ct: Ct);

        Assert.Equal(HttpStatusCode.OK, await ListWith(client, newKeyToken));
        Assert.Equal(fetchesBefore + 1, _host.Jwks.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _idp.DisposeAsync();
    }

    private static async Task<HttpStatusCode> ListWith(HttpClient client, string token)
    {
        using var request = Resource.Read("Bearer " + token);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
