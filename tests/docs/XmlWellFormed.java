// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
// Fails (exit 1) unless each file named is well-formed XML (namespaces on). Run as a source file:
//   java XmlWellFormed.java FILE...
import java.io.File;
import javax.xml.parsers.DocumentBuilderFactory;

public class XmlWellFormed {
  public static void main(String[] args) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    for (String path : args) factory.newDocumentBuilder().parse(new File(path));
  }
}
