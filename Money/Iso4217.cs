using System.Collections.Frozen;

namespace Money;

/// <summary>Active ISO 4217 currency codes (funds and precious metals excluded) and their decimal places.</summary>
public static class Iso4217
{
    private const string Codes =
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL " +
        "GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD " +
        "KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO " +
        "NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD " +
        "SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV " +
        "WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

    private static readonly FrozenDictionary<string, int> MinorUnits = BuildMinorUnits();

    /// <summary>True for an active code (exact, upper case); <paramref name="minorUnits"/> is its number of decimal places.</summary>
    public static bool TryGetMinorUnits(string code, out int minorUnits) => MinorUnits.TryGetValue(code, out minorUnits);

    /// <summary>
    /// The amount written with exactly the currency's decimal places (42.5 EUR is 42.50, 100.0 JPY is 100), so an
    /// amount reads the same in every answer whether it came from the request or back from a database.
    /// </summary>
    public static decimal WithMinorUnits(decimal amount, string currency)
    {
        if (!TryGetMinorUnits(currency, out var minorUnits))
        {
            return amount;
        }

        // A decimal keeps its scale: rounding drops extra trailing zeros, adding a zero of scale n pads to n places.
        return decimal.Round(amount, minorUnits) + new decimal(0, 0, 0, isNegative: false, scale: (byte)minorUnits);
    }

    private static FrozenDictionary<string, int> BuildMinorUnits()
    {
        // Two decimal places unless listed here.
        var exceptions = new Dictionary<string, int>
        {
            ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0,
            ["PYG"] = 0, ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0,
            ["XPF"] = 0, ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
            ["CLF"] = 4, ["UYW"] = 4,
        };
        return Codes.Split(' ').ToFrozenDictionary(code => code, code => exceptions.GetValueOrDefault(code, 2), StringComparer.Ordinal);
    }
}
