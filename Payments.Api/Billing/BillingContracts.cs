namespace Payments.Api.Billing;

/// <summary>The body of Billing's <c>POST /invoices</c>; <paramref name="RequestedBy"/> names Payments' own caller, who asked.</summary>
public sealed record CreateInvoiceRequest(string PaymentId, decimal Amount, string Currency, string? Description, string RequestedBy);

/// <summary>An invoice as Billing returns it: who asked for it, and which client acted (presented the token).</summary>
public sealed record Invoice(
    Guid Id, string PaymentId, decimal Amount, string Currency, string? Description, DateTimeOffset CreatedAt, string? RequestedBy, string? ActedBy);

/// <summary>The scopes Billing asks for, one per kind of call.</summary>
public static class BillingScopes
{
    public const string Read = "billing:read";
    public const string Write = "billing:write";
}
