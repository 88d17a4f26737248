using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Payments.Api.Billing;
using Payments.Api.Tests.Infrastructure;
using TokenClient;

namespace Keycloak.Tests;

/// <summary>
/// Payments.Api and Billing.Api (the hosts of Payments.Api.Tests) with Keycloak as the IdP: Payments acquires its
/// billing tokens from Keycloak, Billing validates them against Keycloak's JWKS.
/// </summary>
public sealed class PaymentsApiOnKeycloakTests(KeycloakFixture keycloak) : IAsyncLifetime
{
    private readonly KeycloakFixture _keycloak = keycloak.RunningOrSkip();
    private BillingHost _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _billing = await BillingHost.StartAsync(_keycloak.Issuer);

    public ValueTask DisposeAsync() => _billing.DisposeAsync();

    [Fact]
    public async Task Payment_gets_its_invoice_from_billing_with_tokens_keycloak_issued()
    {
        await using var payments = new PaymentsHost(_keycloak, _billing.BaseAddress);
        using var caller = await payments.CreateCallerAsync();

        using var created = await caller.PostPaymentAsync("keycloak-loop", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var read = await caller.GetAsync(created.Headers.Location, Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        var payment = await read.ReadPaymentAsync(Ct);
        Assert.NotNull(payment.Invoice);
        var billingRead = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);
        var invoice = Assert.Single(await _billing.InvoicesOfPaymentAsync(payment.Id.ToString(), billingRead, Ct));
        Assert.Equal(payment.Invoice.Id, invoice.Id);
        Assert.Equal(0, _billing.RequestsWithoutTokenCount);
    }

    [Fact]
    public async Task Wrong_client_secret_fails_with_keycloaks_unauthorized_client_and_nothing_reaches_billing()
    {
        await using var payments = new PaymentsHost(_keycloak, _billing.BaseAddress, clientSecret: "not-the-secret");
        var billingRequestsBefore = _billing.InvoiceRequestCount;

        await using var scope = payments.Services.CreateAsyncScope();
        var billing = scope.ServiceProvider.GetRequiredService<BillingClient>();
        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => billing.GetInvoiceAsync(Guid.NewGuid(), Ct));

        // Keycloak 26 answers a wrong secret with 401 unauthorized_client (ClientIdAndSecretAuthenticator), as EmbeddedIdp does.
        Assert.Equal("unauthorized_client", error.Error);
        Assert.True(error.IsCredentialsRejected);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.DoesNotContain("not-the-secret", error.Message);
        Assert.Equal(billingRequestsBefore, _billing.InvoiceRequestCount);
    }

    [Fact]
    public async Task Default_checkout_token_with_only_payments_read_cannot_record_a_payment()
    {
        await using var payments = new PaymentsHost(_keycloak, _billing.BaseAddress);
        using var caller = payments.CreateClient();
        caller.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", await _keycloak.GetAccessTokenAsync("checkout-service", ct: Ct));

        using var response = await caller.PostPaymentAsync("keycloak-read-only", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("scope=\"payments:write\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Keycloak_token_meant_for_billing_is_401_invalid_token_at_payments()
    {
        await using var payments = new PaymentsHost(_keycloak, _billing.BaseAddress);
        using var caller = payments.CreateClient();
        caller.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", await _keycloak.GetAccessTokenAsync("payments-service", "billing:write", Ct));

        using var response = await caller.PostPaymentAsync("keycloak-wrong-audience", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"The audience is invalid\"", response.Headers.WwwAuthenticate.ToString());
    }
}
