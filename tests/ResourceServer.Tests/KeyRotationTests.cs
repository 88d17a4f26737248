using System.Net;
using Billing.Api.Tests.Infrastructure;
using TestSupport;

namespace Billing.Api.Tests.TokenValidation;

/// <summary>Its own IdP, because rotating the signing key restarts it.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly EmbeddedIdpFixture _idp = new();
    private BillingApiFactory _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _idp.InitializeAsync();
        _api = new BillingApiFactory(_idp.Issuer);
    }

    [Fact]
    public async Task Token_signed_with_a_rotated_in_key_is_accepted_after_one_JWKS_refresh()
    {
        using var client = _api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await ListWith(client, await _idp.GetAccessTokenAsync("payments-service", ct: Ct)));
        var fetchesBefore = _api.Jwks.Count;

        await _idp.RotateSigningKeyAsync(Ct);
        var newKeyToken = await _idp.GetAccessTokenAsync("payments-service", ct: Ct);

        Assert.Equal(HttpStatusCode.OK, await ListWith(client, newKeyToken));
        Assert.Equal(fetchesBefore + 1, _api.Jwks.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _idp.DisposeAsync();
    }

    private static async Task<HttpStatusCode> ListWith(HttpClient client, string token)
    {
        using var request = Requests.Get($"/invoices?paymentId=any", token);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
