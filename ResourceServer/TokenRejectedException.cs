using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>A token that failed one of our own checks; the message is safe to return to the caller.</summary>
public sealed class TokenRejectedException(string message) : SecurityTokenValidationException(message);
