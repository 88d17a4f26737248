// One Keycloak container serves every test class in this assembly: it takes tens of seconds to start.
[assembly: AssemblyFixture(typeof(Keycloak.Tests.KeycloakFixture))]
