using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>The loop register → acquire → call → validate across the real processes the AppHost starts.</summary>
[Collection(AppHostCollection.Name)]
public sealed class PaymentLoopTests(AppHostFixture appHost, EmbeddedIdpFixture otherIdp) : IClassFixture<EmbeddedIdpFixture>
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Checkout_pays_and_reads_the_payment_with_the_invoice_billing_created()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var payments = appHost.CreateClient("payments-api");

        using var pay = appHost.NewPayment(42.50m);
        pay.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("checkout-service", "payments:write", timeout.Token));
        using var created = await payments.SendAsync(pay, timeout.Token);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location;
        Assert.NotNull(location);

        using var read = new HttpRequestMessage(HttpMethod.Get, location);
        read.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("checkout-service", "payments:read", timeout.Token));
        using var found = await payments.SendAsync(read, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var payment = await found.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        var invoice = payment.GetProperty("invoice");
        Assert.Equal(payment.GetProperty("id").ToString(), invoice.GetProperty("paymentId").GetString());
        Assert.Equal(42.50m, invoice.GetProperty("amount").GetDecimal());
        Assert.Equal("EUR", invoice.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task A_payment_without_a_token_is_401_with_a_bearer_challenge()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var payments = appHost.CreateClient("payments-api");

        using var pay = appHost.NewPayment(1m);
        using var response = await payments.SendAsync(pay, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task A_payment_with_a_read_only_token_is_403_insufficient_scope()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var payments = appHost.CreateClient("payments-api");

        using var pay = appHost.NewPayment(1m);
        pay.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("checkout-service", "payments:read", timeout.Token));
        using var response = await payments.SendAsync(pay, timeout.Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter);
        Assert.Contains("scope=\"payments:write\"", challenge.Parameter);
    }

    [Fact]
    public async Task A_payments_api_token_replayed_at_billing_is_401_invalid_token()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var billing = appHost.CreateClient("billing-api");

        // A valid token from the same IdP, but its audience is payments-api.
        using var read = new HttpRequestMessage(HttpMethod.Get, "invoices?paymentId=any");
        read.Headers.Authorization = AppHostFixture.Bearer(await appHost.GetAccessTokenAsync("checkout-service", "payments:read", timeout.Token));
        using var response = await billing.SendAsync(read, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_401_invalid_token()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var payments = appHost.CreateClient("payments-api");

        // Same realm, same client, right scope and audience, but another IdP: other issuer, other signing keys.
        using var pay = appHost.NewPayment(1m);
        pay.Headers.Authorization = AppHostFixture.Bearer(await otherIdp.GetAccessTokenAsync("checkout-service", "payments:write", timeout.Token));
        using var response = await payments.SendAsync(pay, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter);
    }

    [Fact]
    public async Task Checkout_cannot_get_a_billing_scope_to_go_around_payments()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var response = await appHost.RequestTokenAsync("checkout-service", "billing:write", timeout.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        Assert.Equal("invalid_scope", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_client_secret_gets_no_token()
    {
        using var timeout = AppHostFixture.Timeout(TestTimeout);
        using var response = await appHost.RequestTokenAsync("checkout-service", "payments:write", timeout.Token, secret: "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        // Keycloak answers unauthorized_client where RFC 6749 says invalid_client; either means "credentials rejected".
        Assert.Contains(error.GetProperty("error").GetString(), new[] { "invalid_client", "unauthorized_client" });
    }
}
