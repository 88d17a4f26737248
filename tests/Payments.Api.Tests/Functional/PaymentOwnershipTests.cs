using System.Net;
using System.Net.Http.Headers;
using Payments.Api.Tests.Infrastructure;
using TestSupport;

namespace Payments.Api.Tests.Functional;

/// <summary>
/// Rule 6 for Payments: a payment belongs to the client that created it. Another client holding <c>payments:read</c>
/// (payments-service, given the scope in a copy of the realm) gets the 404 an unknown id gets.
/// </summary>
public sealed class PaymentOwnershipTests : IAsyncLifetime
{
    private readonly EmbeddedIdpFixture _idp = new() { RealmPath = RealmCopy.WithOptionalScope("payments-service", "payments:read") };
    private BillingHost _billing = null!;
    private PaymentsHost _payments = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _idp.InitializeAsync();
        _billing = await BillingHost.StartAsync(_idp.Issuer);
        _payments = new PaymentsHost(_idp, _billing.BaseAddress);
    }

    [Fact]
    public async Task Another_clients_payment_is_404_like_an_unknown_one()
    {
        using var owner = await _payments.CreateCallerAsync();
        using var created = await owner.PostPaymentAsync("order-owned", amount: 5m, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var stranger = _payments.CreateClient();
        stranger.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", await _idp.GetAccessTokenAsync("payments-service", "payments:read", Ct));

        using var ownRead = await owner.GetAsync(created.Headers.Location, Ct);
        using var foreignRead = await stranger.GetAsync(created.Headers.Location, Ct);
        using var unknownRead = await stranger.GetAsync($"/payments/{Guid.NewGuid()}", Ct);
        Assert.Equal(HttpStatusCode.OK, ownRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignRead.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRead.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _payments.DisposeAsync();
        await _billing.DisposeAsync();
        await _idp.DisposeAsync();
        File.Delete(_idp.RealmPath);
    }
}
