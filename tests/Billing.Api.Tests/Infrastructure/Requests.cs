using System.Net.Http.Json;

namespace Billing.Api.Tests.Infrastructure;

/// <summary>The three Billing endpoints, as requests a test can send with any Authorization header.</summary>
public enum Endpoint
{
    CreateInvoice,
    GetInvoice,
    ListInvoicesOfPayment,
}

public static class Requests
{
    public static string ScopeOf(Endpoint endpoint) => endpoint == Endpoint.CreateInvoice ? "billing:write" : "billing:read";

    public static HttpRequestMessage For(Endpoint endpoint, BillingApiFixture fixture, string? authorization) =>
        WithAuthorization(endpoint switch
        {
            Endpoint.CreateInvoice => CreateInvoice(new { paymentId = "pay-" + Guid.NewGuid(), amount = 10m, currency = "EUR" }, token: null),
            Endpoint.GetInvoice => new HttpRequestMessage(HttpMethod.Get, $"/invoices/{fixture.SeedInvoiceId}"),
            _ => new HttpRequestMessage(HttpMethod.Get, $"/invoices?paymentId={BillingApiFixture.SeedPaymentId}"),
        }, authorization);

    public static HttpRequestMessage CreateInvoice(object body, string? token, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/invoices") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return WithAuthorization(request, token is null ? null : "Bearer " + token);
    }

    public static HttpRequestMessage Get(string path, string token) =>
        WithAuthorization(new HttpRequestMessage(HttpMethod.Get, path), "Bearer " + token);

    /// <summary>Sets the header verbatim, malformed or not.</summary>
    public static HttpRequestMessage WithAuthorization(HttpRequestMessage request, string? authorization)
    {
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }
}
