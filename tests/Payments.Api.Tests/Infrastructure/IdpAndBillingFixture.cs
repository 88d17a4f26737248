using TestSupport;

namespace Payments.Api.Tests.Infrastructure;

/// <summary>One real EmbeddedIdp and one real Billing.Api per test class; each test starts its own Payments.Api.</summary>
public sealed class IdpAndBillingFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public EmbeddedIdpFixture Idp { get; } = new();

    public BillingHost Billing { get; private set; } = null!;

    public PaymentsHost StartPayments(string? clientSecret = null) => new(Idp, Billing.BaseAddress, clientSecret);

    public async ValueTask InitializeAsync()
    {
        await Idp.InitializeAsync();
        Billing = await BillingHost.StartAsync(Idp.Issuer);
    }

    public async ValueTask DisposeAsync()
    {
        if (Billing is not null)
        {
            await Billing.DisposeAsync();
        }

        await Idp.DisposeAsync();
    }
}
