using System.Globalization;

namespace Money;

/// <summary>Billing's rule for an amount of money, which Payments applies too: it must never take a payment Billing would not invoice.</summary>
public static class AmountValidation
{
    /// <summary>Largest amount accepted, in major units.</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    /// <summary>Adds an error under <c>Amount</c> and/or <c>Currency</c> unless the amount is valid in that currency.</summary>
    public static void Validate(decimal? amount, string? currency, IDictionary<string, string[]> errors)
    {
        var knownCurrency = Iso4217.TryGetMinorUnits(currency ?? "", out var minorUnits);
        if (!knownCurrency)
        {
            errors["Currency"] = ["Required: an active ISO 4217 currency code in upper case, such as EUR."];
        }

        if (amount is not { } value || value <= 0 || value > MaxAmount)
        {
            errors["Amount"] = [$"Required: greater than 0 and at most {MaxAmount.ToString(CultureInfo.InvariantCulture)}."];
        }
        else if (knownCurrency && decimal.Round(value, minorUnits) != value)
        {
            errors["Amount"] = [$"{currency} has {minorUnits} decimal places."];
        }
    }
}
