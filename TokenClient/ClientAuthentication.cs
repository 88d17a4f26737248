namespace TokenClient;

/// <summary>How the client id and secret reach the token endpoint (RFC 6749 §2.3.1).</summary>
public enum ClientAuthentication
{
    /// <summary><c>client_secret_basic</c>: an HTTP Basic <c>Authorization</c> header (the default).</summary>
    Basic,

    /// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    Post,
}
