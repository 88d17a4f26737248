using System.Net;
using System.Net.Http.Json;
using Billing.Api.Tests.Infrastructure;
using TestSupport.Conformance;

namespace Billing.Api.Tests.Invoices;

/// <summary>Each invoice records who asked for it (the original caller) and who acted (the token's azp), and returns both.</summary>
[Collection(nameof(BillingApiCollection))]
public sealed class RequestedByTests(BillingApiFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Client_credentials_caller_naming_its_caller_is_recorded_as_acting_for_it()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:write", Ct);

        var invoice = await CreateAsync(token, requestedBy: "checkout-service");

        Assert.Equal(("checkout-service", "payments-service"), (invoice.RequestedBy, invoice.ActedBy));
    }

    [Fact]
    public async Task Caller_naming_nobody_asked_for_itself()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:write", Ct);

        var invoice = await CreateAsync(token, requestedBy: null);

        Assert.Equal(("payments-service", "payments-service"), (invoice.RequestedBy, invoice.ActedBy));
    }

    [Fact]
    public async Task Exchanged_token_acts_as_the_requester_and_is_read_back_with_both()
    {
        // checkout-service calls Payments; payments-api exchanges that token for a billing:write token (RFC 8693).
        var caller = await fixture.Idp.GetAccessTokenAsync("checkout-service", "payments:write", Ct);
        using var http = new OAuthHttp(fixture.Idp);
        var exchange = await http.PostAsync(
            "token",
            OAuthHttp.Form(
                ("grant_type", TokenExchangeConformance.GrantType), ("subject_token", caller),
                ("subject_token_type", TokenExchangeConformance.AccessTokenType), ("scope", "billing:write"), ("audience", "billing-api")),
            "payments-api",
            ClientAuth.Basic);
        Assert.Equal(HttpStatusCode.OK, exchange.Status);
        var exchanged = exchange.Json.GetProperty("access_token").GetString()!;

        var invoice = await CreateAsync(exchanged, requestedBy: "checkout-service");
        // The invoice belongs to the acting client, payments-api: its own token reads it back.
        var read = await fixture.Idp.GetAccessTokenAsync("payments-api", "billing:read", Ct);
        using var response = await fixture.SendAsync(Requests.Get($"/invoices/{invoice.Id}", read));

        Assert.Equal(("checkout-service", "payments-api"), (invoice.RequestedBy, invoice.ActedBy));
        Assert.Equal(invoice, await response.Content.ReadFromJsonAsync<Recorded>(Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    public async Task Malformed_requested_by_is_a_validation_problem(string requestedBy)
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:write", Ct);

        using var response = await fixture.SendAsync(Requests.CreateInvoice(
            new { paymentId = "pay-" + Guid.NewGuid(), amount = 1m, currency = "EUR", requestedBy }, token));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("RequestedBy", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<Recorded> CreateAsync(string token, string? requestedBy)
    {
        using var response = await fixture.SendAsync(Requests.CreateInvoice(
            new { paymentId = "pay-" + Guid.NewGuid(), amount = 5m, currency = "EUR", requestedBy }, token));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Recorded>(Ct))!;
    }

    private sealed record Recorded(Guid Id, string PaymentId, string RequestedBy, string ActedBy);
}
