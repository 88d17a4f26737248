using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>A token that failed one of our own checks; the message is safe to return to the caller.</summary>
public sealed class TokenRejectedException : SecurityTokenValidationException
{
    public TokenRejectedException(string message) : base(message)
    {
    }

    public TokenRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
