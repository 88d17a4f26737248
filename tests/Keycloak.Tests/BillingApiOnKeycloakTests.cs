using System.Net;
using System.Net.Http.Json;
using Billing.Api.Tests.Infrastructure;
using Billing.Api.Tests.TokenValidation;

namespace Keycloak.Tests;

/// <summary>
/// Billing.Api (its own test host, <see cref="BillingApiFactory"/>) validating real Keycloak tokens: the Billing
/// functional cases whose outcome depends on what the IdP issues. Crafted-token cases do not depend on the IdP and run in Billing.Api.Tests.
/// </summary>
public sealed class BillingApiOnKeycloakTests(KeycloakFixture keycloak) : IAsyncLifetime
{
    private readonly KeycloakFixture _keycloak = keycloak.RunningOrSkip();
    private BillingApiFactory _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _billing = new BillingApiFactory(_keycloak.Issuer);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _billing.DisposeAsync();

    [Fact]
    public async Task Invoice_created_with_a_billing_write_token_is_read_back_with_the_default_read_token()
    {
        var write = await _keycloak.GetAccessTokenAsync("payments-service", "billing:write", Ct);
        var read = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);
        var paymentId = "pay-" + Guid.NewGuid();

        using var created = await SendAsync(Requests.CreateInvoice(new { paymentId, amount = 12.5m, currency = "EUR" }, write));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var invoice = await created.Content.ReadFromJsonAsync<InvoiceDto>(Ct);

        using var found = await SendAsync(Requests.Get(created.Headers.Location!.OriginalString, read));
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(invoice, await found.Content.ReadFromJsonAsync<InvoiceDto>(Ct));

        using var listed = await SendAsync(Requests.Get($"/invoices?paymentId={paymentId}", read));
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal([invoice!], (await listed.Content.ReadFromJsonAsync<InvoiceDto[]>(Ct))!);
    }

    [Fact]
    public async Task Default_token_of_payments_service_cannot_create_an_invoice()
    {
        var read = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);

        using var response = await SendAsync(Requests.CreateInvoice(new { paymentId = "pay-" + Guid.NewGuid(), amount = 1m, currency = "EUR" }, read));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "Bearer error=\"insufficient_scope\", error_description=\"The token lacks a required scope\", scope=\"billing:write\"",
            response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Token_keycloak_issued_for_payments_api_is_401_invalid_audience()
    {
        var paymentsToken = await _keycloak.GetAccessTokenAsync("checkout-service", "payments:read payments:write", Ct);

        using var response = await SendAsync(Requests.Get("/invoices?paymentId=any", paymentsToken));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            $"Bearer error=\"invalid_token\", error_description=\"{BadTokens.ExpectedDescription(BadToken.PaymentsApiAudience)}\"",
            response.Headers.WwwAuthenticate.ToString());
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => SendAsync(_billing, request);

    internal static async Task<HttpResponseMessage> SendAsync(BillingApiFactory billing, HttpRequestMessage request)
    {
        using (request)
        {
            using var client = billing.CreateClient();
            return await client.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
    }
}
