using System.Net;
using ApiDefaults;
using Polly;
using TokenClient;

namespace Payments.Api.Billing;

/// <summary>
/// Billing.Api over HTTP. Tokens come from the handler (<c>billing:read</c> by default; the one write asks for
/// <c>billing:write</c>), so this class never sees one.
/// </summary>
public sealed class BillingClient(HttpClient http)
{
    /// <summary>Billing's address outside Development: service discovery resolves https endpoints only.</summary>
    public static readonly Uri ServiceAddress = new("https://billing-api");

    /// <summary>In Development, https when Billing has it, else http (the AppHost's plain-http setup).</summary>
    public static readonly Uri DevelopmentServiceAddress = new("https+http://billing-api");

    /// <summary>
    /// Creates the invoice of a payment. The payment id is the Idempotency-Key, so sending it again (a retry, the
    /// outbox worker, a second replica) returns the same invoice instead of a second one.
    /// </summary>
    /// <exception cref="HttpRequestException">Billing answered with an error (see <see cref="HttpRequestException.StatusCode"/>) or could not be reached.</exception>
    public async Task<Invoice> CreateInvoiceAsync(CreateInvoiceRequest invoice, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoices") { Content = JsonContent.Create(invoice) };
        request.Headers.Add(IdempotencyKey.Header, invoice.PaymentId);
        request.SetTokenScope(BillingScopes.Write);

        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Invoice>(cancellationToken)
            ?? throw new HttpRequestException("Billing answered POST /invoices without an invoice.");
    }

    /// <summary>
    /// The call failed because Billing or the IdP is unreachable, slow or refusing (no token, an error status, a timeout,
    /// an open circuit), not because the caller gave up.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        TokenAcquisitionException or HttpRequestException or ExecutionRejectedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // HttpClient timeout
        _ => false,
    };

    /// <summary>The invoice, or null when Billing has none with this id.</summary>
    public async Task<Invoice?> GetInvoiceAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/invoices/{id}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Invoice>(cancellationToken);
    }
}
