namespace Payments.Api.Billing;

/// <summary>How Payments gets its token for Billing: setting <c>Billing:Authorization</c>.</summary>
public enum BillingAuthorization
{
    /// <summary>Payments' own client-credentials token (client <c>payments-service</c>, token client <c>billing</c>): the default.</summary>
    ClientCredentials,

    /// <summary>
    /// The caller's token exchanged (RFC 8693) by <c>payments-api</c> (token client <c>billing-exchange</c>) for a token
    /// narrowed to the one Billing scope the call needs. Work no caller backs (an outbox retry) uses payments-api's own
    /// client-credentials token, so Billing sees one acting client per invoice and its idempotency holds.
    /// </summary>
    TokenExchange,
}
