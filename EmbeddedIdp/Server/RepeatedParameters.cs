using System.Collections.Immutable;
using OpenIddict.Abstractions;

namespace EmbeddedIdp.Server;

/// <summary>RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once." Keycloak checks every endpoint.</summary>
public static class RepeatedParameters
{
    public static bool AnyIn(OpenIddictRequest request) =>
        request.GetParameters().Any(parameter => parameter.Value.GetRawValue() is ImmutableArray<string?> { Length: > 1 }
            && !(request.IsTokenExchangeGrantType() && IsMultivaluedInTokenExchange(parameter.Key)));

    // Keycloak's token exchange (getSupportedMultivaluedRequestParameters) takes several audience and resource values.
    private static bool IsMultivaluedInTokenExchange(string name) =>
        name is OpenIddictConstants.Parameters.Audience or OpenIddictConstants.Parameters.Resource;

    /// <summary>The first value of a parameter, as Keycloak's <c>formParams.getFirst</c> reads it even when it is repeated.</summary>
    public static string? First(OpenIddictRequest request, string name) =>
        request.GetParameter(name)?.GetRawValue() switch
        {
            ImmutableArray<string?> { Length: > 0 } values => values[0],
            string value => value,
            _ => null,
        };
}
