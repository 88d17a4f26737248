using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ResourceServer;
using TestSupport;

namespace Billing.Api.Tests.Security;

/// <summary>
/// Rule 2: once a signing key leaves the IdP's JWKS, tokens signed with it are refused within the documented bound
/// (<see cref="ResourceServerOptions.KeyRefreshInterval"/>), including a token Billing accepted (and cached) before and a
/// fresh one forged with the withdrawn key. Own IdP and Billing: the IdP rotates its keys here.
/// </summary>
public sealed class WithdrawnKeyTests : IAsyncLifetime
{
    private readonly EmbeddedIdpFixture _idp = new();
    private BillingOverHttp _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _idp.InitializeAsync();
        _billing = BillingOverHttp.Start(_idp.Issuer);
    }

    [Fact]
    public async Task Tokens_of_a_withdrawn_key_are_refused_within_the_key_refresh_interval_even_when_accepted_before()
    {
        var bound = _billing.Services.GetRequiredService<IOptions<ResourceServerOptions>>().Value.KeyRefreshInterval;
        var (withdrawnKid, withdrawnKey) = IdpKeyFiles.Read(_idp.DataPath)[0];
        var issued = await _idp.GetAccessTokenAsync("payments-service", ct: Ct);
        Assert.Equal(HttpStatusCode.OK, await StatusWith(issued));
        Assert.Equal(HttpStatusCode.OK, await StatusWith(issued)); // now answered from the validated-token cache

        // The key leaves the JWKS: one rotation makes it passive, the second removes it.
        await _idp.RotateSigningKeyAsync(Ct);
        await _idp.RotateSigningKeyAsync(Ct);
        Assert.DoesNotContain(IdpKeyFiles.Read(_idp.DataPath), key => key.Kid == withdrawnKid);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = TestTokens.Claims(_idp.Issuer, scope: "billing:read");
        claims["iat"] = now;
        claims["exp"] = now + 3500;
        var forged = TestTokens.Sign(TestTokens.Header(kid: withdrawnKid), claims, withdrawnKey);

        _billing.Time.Advance(bound);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(issued));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWith(forged));
        Assert.Equal(HttpStatusCode.OK, await StatusWith(await _idp.GetAccessTokenAsync("payments-service", ct: Ct)));
    }

    public async ValueTask DisposeAsync()
    {
        await _billing.DisposeAsync();
        await _idp.DisposeAsync();
    }

    private async Task<HttpStatusCode> StatusWith(string token)
    {
        using var client = _billing.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/invoices?paymentId=pay-withdrawn");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
