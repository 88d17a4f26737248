using System.Net.Http.Json;
using Payments.Api.Payments;

namespace Payments.Api.Tests.Infrastructure;

public static class PaymentsRequests
{
    public static async Task<HttpResponseMessage> PostPaymentAsync(
        this HttpClient client, string idempotencyKey, decimal amount = 42.50m, string currency = "EUR", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments")
        {
            Content = JsonContent.Create(new { amount, currency, description = "Order " + idempotencyKey }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request, cancellationToken);
    }

    public static async Task<PaymentResponse> ReadPaymentAsync(this HttpResponseMessage response, CancellationToken cancellationToken) =>
        (await response.Content.ReadFromJsonAsync<PaymentResponse>(cancellationToken))!;
}
