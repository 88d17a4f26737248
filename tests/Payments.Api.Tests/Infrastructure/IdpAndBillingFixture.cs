using Payments.Api.Billing;
using TestSupport;

namespace Payments.Api.Tests.Infrastructure;

/// <summary>
/// A real EmbeddedIdp and a real Billing.Api. Shared by the <see cref="PaymentsCollection"/>, whose tests count nothing
/// at them: the shared Payments.Api keeps running between tests (its outbox worker among them). A class that counts
/// requests at the IdP or Billing, or stops the IdP, has an instance of its own.
/// </summary>
public sealed class IdpAndBillingFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Lazy<Task<(PaymentsHost Host, HttpClient Caller)>> _shared;

    public IdpAndBillingFixture() => _shared = new(async () =>
    {
        var host = StartPayments();
        return (host, await host.CreateCallerAsync());
    });

    public EmbeddedIdpFixture Idp { get; } = new();

    public BillingHost Billing { get; private set; } = null!;

    /// <summary>A new Payments.Api with a cold token cache and an empty database.</summary>
    public PaymentsHost StartPayments(string? clientSecret = null) => new(Idp, Billing.BaseAddress, clientSecret);

    /// <summary>A fresh Payments.Api getting its Billing token the given way.</summary>
    public PaymentsHost StartPayments(BillingAuthorization authorization) => new(Idp, Billing.BaseAddress) { BillingAuthorization = authorization };

    /// <summary>One Payments.Api and a caller for tests that neither count tokens nor stop anything.</summary>
    public Task<(PaymentsHost Host, HttpClient Caller)> SharedPaymentsAsync() => _shared.Value;

    public async ValueTask InitializeAsync()
    {
        await Idp.InitializeAsync();
        Billing = await BillingHost.StartAsync(Idp.Issuer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_shared.IsValueCreated && _shared.Value.IsCompletedSuccessfully)
        {
            var (host, caller) = _shared.Value.Result;
            caller.Dispose();
            await host.DisposeAsync();
        }

        if (Billing is not null)
        {
            await Billing.DisposeAsync();
        }

        await Idp.DisposeAsync();
    }
}

[CollectionDefinition(nameof(PaymentsCollection))]
public sealed class PaymentsCollection : ICollectionFixture<IdpAndBillingFixture>;
