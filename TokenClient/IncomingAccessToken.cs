using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TokenClient;

/// <summary>The access token of the HTTP request being served (its <c>Authorization: Bearer</c> value), the subject of an exchange.</summary>
public sealed class IncomingAccessToken(IHttpContextAccessor accessor)
{
    /// <summary>Null outside a request (a background job) or when the request carried no bearer token.</summary>
    public string? Current
    {
        get
        {
            var header = accessor.HttpContext?.Request.Headers[HeaderNames.Authorization].ToString();
            const string Prefix = "Bearer ";
            return header is { Length: > 7 } && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
                ? header[Prefix.Length..].Trim() is { Length: > 0 } token ? token : null
                : null;
        }
    }
}
