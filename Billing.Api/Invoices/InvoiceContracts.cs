using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Money;

namespace Billing.Api.Invoices;

/// <summary>
/// The body of <c>POST /invoices</c>. Fields are nullable so a missing one is a validation error, not a binding failure.
/// <see cref="RequestedBy"/>: the client on whose behalf the caller acts (Payments names its own caller); absent, the caller itself.
/// </summary>
public sealed record CreateInvoiceRequest(string? PaymentId, decimal? Amount, string? Currency, string? Description, string? RequestedBy = null)
{
    public const int MaxPaymentIdLength = 64;
    public const int MaxDescriptionLength = 500;
    public const int MaxClientIdLength = 100;

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

        if (RequestedBy is not null && (RequestedBy.Length is 0 or > MaxClientIdLength || !RequestedBy.All(c => c is > ' ' and <= '~')))
        {
            errors[nameof(RequestedBy)] = [$"A client id: 1 to {MaxClientIdLength} printable ASCII characters without spaces."];
        }

        return errors;
    }

    /// <summary>
    /// The same request always hashes the same: 10.5 and 10.50 EUR are one amount. <see cref="RequestedBy"/> is not part of
    /// it: who asked is recorded from the request that created the invoice, and a retry is the same invoice whoever it names.
    /// </summary>
    public string Hash()
    {
        var amount = Amount!.Value.ToString("0.############################", CultureInfo.InvariantCulture);
        var canonical = string.Join('\n', PaymentId, amount, Currency, Description ?? "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

/// <summary>
/// An invoice, with who asked for it (<c>requestedBy</c>) and who acted (<c>actedBy</c>, the presenting client); the amount
/// always has its currency's decimal places, so a replay reads as the first answer.
/// </summary>
public sealed record InvoiceResponse(
    Guid Id, string PaymentId, decimal Amount, string Currency, string? Description, DateTimeOffset CreatedAt, string RequestedBy, string ActedBy)
{
    public static InvoiceResponse From(Invoice invoice) =>
        new(invoice.Id, invoice.PaymentId, Iso4217.WithMinorUnits(invoice.Amount, invoice.Currency), invoice.Currency, invoice.Description,
            invoice.CreatedAt, invoice.RequestedBy, invoice.ActedBy);
}
