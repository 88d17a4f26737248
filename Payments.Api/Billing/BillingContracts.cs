namespace Payments.Api.Billing;

/// <summary>The body of Billing's <c>POST /invoices</c>.</summary>
public sealed record CreateInvoiceRequest(string PaymentId, decimal Amount, string Currency, string? Description);

/// <summary>An invoice as Billing returns it.</summary>
public sealed record Invoice(Guid Id, string PaymentId, decimal Amount, string Currency, string? Description, DateTimeOffset CreatedAt);

/// <summary>The scopes Billing asks for, one per kind of call.</summary>
public static class BillingScopes
{
    public const string Read = "billing:read";
    public const string Write = "billing:write";
}
