using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Money;

namespace Billing.Api.Invoices;

/// <summary>The body of <c>POST /invoices</c>. Fields are nullable so a missing one is a validation error, not a binding failure.</summary>
public sealed record CreateInvoiceRequest(string? PaymentId, decimal? Amount, string? Currency, string? Description)
{
    public const int MaxPaymentIdLength = 64;
    public const int MaxDescriptionLength = 500;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(PaymentId) || PaymentId.Length > MaxPaymentIdLength)
        {
            errors[nameof(PaymentId)] = [$"Required, at most {MaxPaymentIdLength} characters."];
        }

        AmountValidation.Validate(Amount, Currency, errors);

        if (Description is { Length: > MaxDescriptionLength })
        {
            errors[nameof(Description)] = [$"At most {MaxDescriptionLength} characters."];
        }

        return errors;
    }

    /// <summary>The same request always hashes the same: 10.5 and 10.50 EUR are one amount.</summary>
    public string Hash()
    {
        var amount = Amount!.Value.ToString("0.############################", CultureInfo.InvariantCulture);
        var canonical = string.Join('\n', PaymentId, amount, Currency, Description ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>An invoice as answered; the amount always has its currency's decimal places, so a replay reads as the first answer.</summary>
public sealed record InvoiceResponse(Guid Id, string PaymentId, decimal Amount, string Currency, string? Description, DateTimeOffset CreatedAt)
{
    public static InvoiceResponse From(Invoice invoice) =>
        new(invoice.Id, invoice.PaymentId, Iso4217.WithMinorUnits(invoice.Amount, invoice.Currency), invoice.Currency, invoice.Description, invoice.CreatedAt);
}
