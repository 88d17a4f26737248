using System.Collections.Immutable;
using OpenIddict.Abstractions;

namespace EmbeddedIdp.Server;

/// <summary>RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once." Keycloak checks every endpoint.</summary>
public static class RepeatedParameters
{
    public static bool AnyIn(OpenIddictRequest request, params string[] except) =>
        request.GetParameters().Any(parameter =>
            !except.Contains(parameter.Key) && parameter.Value.GetRawValue() is ImmutableArray<string?> { Length: > 1 });

    /// <summary>The first value of a parameter, as Keycloak's <c>formParams.getFirst</c> reads it even when it is repeated.</summary>
    public static string? First(OpenIddictRequest request, string name) =>
        request.GetParameter(name)?.GetRawValue() switch
        {
            ImmutableArray<string?> { Length: > 0 } values => values[0],
            string value => value,
            _ => null,
        };
}
