using System.Net;

namespace TokenClient;

/// <summary>
/// No access token could be had for a token client. The outgoing request was not sent.
/// Carries the token endpoint's RFC 6749 §5.2 <c>error</c> and <c>error_description</c> when it gave them.
/// </summary>
public sealed class TokenAcquisitionException(
    string clientName,
    string? error,
    string? errorDescription,
    HttpStatusCode? statusCode,
    string message,
    Exception? innerException = null)
    : Exception(message, innerException)
{
    public string ClientName { get; } = clientName;

    /// <summary>The token endpoint's <c>error</c> code (<c>invalid_client</c>, <c>invalid_scope</c>, …); null when it never answered.</summary>
    public string? Error { get; } = error;

    public string? ErrorDescription { get; } = errorDescription;

    /// <summary>The token endpoint's HTTP status; null when it could not be reached.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>
    /// The IdP refused the client id or secret. Keycloak answers a wrong secret with <c>unauthorized_client</c>,
    /// RFC 6749 says <c>invalid_client</c>: both mean the same to us.
    /// </summary>
    public bool IsCredentialsRejected => Error is "invalid_client" or "unauthorized_client";
}
