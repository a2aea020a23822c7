//! What hosting a Flex deployment needs beside the channels: the Flash
//! `/crossdomain.xml` policy and CORS for browsers (see docs/security.md).

pub(crate) mod cors;
pub(crate) mod crossdomain;
